"""Image factories for the embedding tests: hostile files and awkward-but-valid ones, made in memory.

In: sizes and modes. Out: PIL images or the encoded bytes of a file, never anything from disk or network.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def product_photo(*, width: int = 320, height: int = 400, seed: int = 1) -> Image.Image:
    """A shaded, striped object on a light background: close enough to a studio shot for a CNN."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    yy /= height
    xx /= width
    inside = ((xx - 0.5) / 0.3) ** 2 + ((yy - 0.5) / 0.35) ** 2 <= 1
    colour = np.array([180, 40, 60], dtype=np.float32)
    stripes = 1 + 0.2 * np.sin(2 * np.pi * 12 * (xx + yy))[..., None]
    pixels = np.where(inside[..., None], colour * (0.6 + 0.4 * (1 - yy))[..., None] * stripes, 245.0)
    pixels += rng.normal(0, 3, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def encode(image: Image.Image, /, *, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def png_header_only(*, width: int, height: int) -> bytes:
    """A PNG whose IHDR claims ``width`` x ``height`` and whose pixel data is a few bytes: a bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def animated(*, format: str, colours: list[tuple[int, int, int]], size: tuple[int, int] = (64, 64)) -> bytes:
    frames = [Image.new("RGB", size, colour) for colour in colours]
    return encode(frames[0], format=format, save_all=True, append_images=frames[1:], duration=100, loop=0)


def with_exif_orientation(image: Image.Image, /, *, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image, format="JPEG", quality=95, exif=exif.tobytes())
