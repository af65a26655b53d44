"""The one safe way to turn untrusted image bytes into pixels: admin uploads, the worker and photo search all use it.

In: bytes, a binary file-like object (read from its start) or a filesystem path.
Out: a fully decoded ``PIL.Image.Image`` in mode ``RGB`` (EXIF orientation applied, first frame only,
alpha composited on white), or ``ImageRejected`` with a machine ``code``, a ``reason`` in plain words
(shown as is to shoppers on photo search and to staff in the admin; never a library's message) and a
technical ``detail`` (Pillow's own message, sizes), which goes to the log, not to people.

Refusals, in the order they are checked:
``empty`` -> ``too_large`` (bytes) -> ``unsupported_format`` (magic bytes: JPEG, PNG, WebP, GIF only) ->
``decompression_bomb`` (Pillow's own guard) -> ``too_many_pixels`` (our cap, read from the header before any
pixel is decoded) -> ``corrupt`` (anything that fails to decode completely, truncated files included).

``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` must stay False process-wide: this module relies on it to see
truncated files as errors, and never changes it.
"""

from __future__ import annotations

import io
import logging
import os
import warnings
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
# 40 Mpx covers any real product photo (a 50 Mpx camera is rare in a shop) while keeping a decode
# under ~160 MB of RGBA. Pillow's own bomb guard starts at ~89 Mpx, so this cap is the one that bites.
MAX_PIXELS = 40_000_000

# Magic bytes, not file names or client-sent content types: those are trivially faked.
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_GIFS = (b"GIF87a", b"GIF89a")
# Pillow reports multi-picture JPEGs from cameras as MPO; they are JPEGs and we only use the first picture.
_PILLOW_FORMATS = {"jpeg": ("JPEG", "MPO"), "png": ("PNG",), "webp": ("WEBP",), "gif": ("GIF",)}

logger = logging.getLogger(__name__)

_WHITE = (255, 255, 255)
# Modes that may carry transparency, to be flattened onto white rather than dropped (dropping the
# alpha of a cut-out product usually reveals black or garbage pixels).
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}

Source = bytes | bytearray | memoryview | BinaryIO | str | os.PathLike


class ImageRejected(ValueError):
    """An image we refuse to decode. ``code`` is stable for programs; ``reason`` is for people (a sentence
    a shopper understands); ``detail`` is for the log (the library's own words, sizes)."""

    def __init__(self, *, code: str, reason: str, detail: str = ""):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.detail = detail


def _refused(code: str, reason: str, detail: str = "") -> ImageRejected:
    """The refusal, logged with its technical detail (which people never see)."""
    logger.info("image refused: %s (%s)%s", code, reason, f": {detail}" if detail else "")
    return ImageRejected(code=code, reason=reason, detail=detail)


def _megabytes(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{max(limit // 1024, 1)} KB"


def read_image_bytes(source: Source, *, max_bytes: int = MAX_BYTES) -> bytes:
    """Read at most ``max_bytes`` from ``source``; refuse empty or oversized input without reading it all.

    Exposed so a caller that also needs the bytes (e.g. to hash them) reads the file only once.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        # Django's UploadedFile/FieldFile may have been read already (e.g. by form validation).
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)
        data = source.read(max_bytes + 1)
    if not data:
        raise _refused("empty", "This file is empty.")
    if len(data) > max_bytes:
        raise _refused("too_large", f"This file is too large (max {_megabytes(max_bytes)}).",
                       f"more than {max_bytes} bytes")
    return data


def sniff_format(head: bytes, /) -> str | None:
    """'jpeg' | 'png' | 'webp' | 'gif' from the first bytes, or None for anything else (SVG, HTML, text...)."""
    if head.startswith(_JPEG):
        return "jpeg"
    if head.startswith(_PNG):
        return "png"
    if head.startswith(_GIFS):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def load_image(
    source: Source,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    draft_size: tuple[int, int] | None = None,
) -> Image.Image:
    """Decode ``source`` safely into an RGB image.

    ``draft_size=(w, h)``: the caller will shrink the image to about this size anyway, so a JPEG may be
    decoded at 1/2, 1/4 or 1/8 scale by the DCT (several times faster on big photos). Both sides stay at
    least as large as asked, and other formats ignore it. ``max_pixels`` is width x height of the
    first frame (the only one decoded); Pillow's own guard (``Image.MAX_IMAGE_PIXELS``) still applies above it.
    """
    data = read_image_bytes(source, max_bytes=max_bytes)
    kind = sniff_format(data[:16])
    if kind is None:
        raise _refused("unsupported_format", "This file is not a JPEG, PNG, WebP or GIF image.",
                       f"first bytes {data[:16]!r}")
    image = _decode(data=data, kind=kind, max_pixels=max_pixels, draft_size=draft_size)
    return to_rgb(image)


def _decode(*, data: bytes, kind: str, max_pixels: int, draft_size: tuple[int, int] | None) -> Image.Image:
    try:
        # catch_warnings is process-global, so a concurrent thread may briefly see the default filter;
        # the explicit max_pixels check below is the guard that does not depend on it.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[kind])
            width, height = image.size
            if width * height > max_pixels:
                raise _refused("too_many_pixels", _too_many_pixels(max_pixels, width, height),
                               f"{width}x{height} pixels, cap {max_pixels}")
            if draft_size is not None and image.format in _PILLOW_FORMATS["jpeg"]:
                image.draft("RGB", draft_size)
            # Frame 0 is the current frame after open; load() decodes it completely so truncation and
            # corruption surface here, inside the guard, rather than later in a resize.
            image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard bit first: its limit is the one to name when it is the lower one.
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
        raise _refused("decompression_bomb", _too_many_pixels(limit), str(exc)) from exc
    except MemoryError:
        raise
    except Exception as exc:
        # Pillow's decoders raise a zoo of types on hostile input (OSError, SyntaxError, ValueError,
        # EOFError, struct.error, IndexError...); for us they all mean the same: it does not decode.
        raise _refused("corrupt", "This file is damaged or incomplete.", f"{type(exc).__name__}: {exc}") from exc
    return _apply_exif_orientation(image)


def _too_many_pixels(max_pixels: int, width: int | None = None, height: int | None = None) -> str:
    size = f"{width} × {height} pixels; " if width and height else ""
    return f"This photo is too large ({size}max {max_pixels / 1e6:.0f} megapixels)."


def _apply_exif_orientation(image: Image.Image, /) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        # A malformed EXIF block does not make the pixels unusable; an unrotated photo beats a refusal.
        return image


def to_rgb(image: Image.Image, /) -> Image.Image:
    """Any Pillow mode -> RGB: alpha (or palette/tRNS transparency) flattened on white, 16-bit and
    float data rescaled to 0..255 instead of clipped, CMYK converted. Returns ``image`` itself if already RGB."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode.startswith("I") or mode == "F":
        return _high_depth_to_rgb(image)
    if mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _high_depth_to_rgb(image: Image.Image, /) -> Image.Image:
    """'I;16*', 'I' and 'F' greyscale: Pillow's own convert clips at 255, which turns a 16-bit photo white."""
    pixels = np.asarray(image, dtype=np.float32)
    if image.mode.startswith("I;16"):
        scale = 255.0 / 65535.0
    else:
        # 'I' usually comes from 16-bit sources, 'F' from 0..1 or 0..255 data: scale by the range in use.
        peak = float(pixels.max()) if pixels.size else 0.0
        scale = 255.0 / 65535.0 if peak > 255.0 else (255.0 if 0.0 < peak <= 1.0 else 1.0)
    grey = np.clip(pixels * scale + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(grey).convert("RGB")
