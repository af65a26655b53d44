"""Make a studio product shot look like a shopper's phone photo (and lightly vary a real phone photo).

In: a PIL RGB image, a ``random.Random``, the output size. Out: a PIL RGB image of ``size`` x ``size``.

Studio -> phone, each step with its own probability, in the order a camera adds them:
- background: the near-white studio background (a soft mask of bright, unsaturated pixels) replaced by clutter:
  a colour gradient with blotches and stripes at random scales (a bed, a floor, a wall, a hanger rail);
- framing: a random crop around the garment (35-100 % of the area, aspect 3:4 to 4:3), a perspective warp and a
  small rotation, the garment sometimes off centre or cut at the edge;
- lighting: brightness, contrast, gamma, a colour cast (white balance) and a shading ramp; saturation barely moves,
  and hue not at all, since the colour head learns from these pixels;
- camera: defocus blur, sensor noise, then JPEG at quality 30-90.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps


def phone_like(image: Image.Image, rng: random.Random, *, size: int) -> Image.Image:
    image = image.convert("RGB")
    if rng.random() < 0.7:
        image = _clutter_background(image, rng)
    image = _frame(image, rng, size=size, min_area=0.35)
    return _camera(_lighting(image, rng), rng)


def shopper_like(image: Image.Image, rng: random.Random, *, size: int) -> Image.Image:
    """A real phone photo: only framing, light and camera noise (its background is real already)."""
    return _camera(_lighting(_frame(image.convert("RGB"), rng, size=size, min_area=0.5), rng), rng)


def plain(image: Image.Image, *, size: int) -> Image.Image:
    """No augmentation: shorter side to size, centre crop (what serving does, at the training size)."""
    return ImageOps.fit(image.convert("RGB"), (size, size), Image.Resampling.BICUBIC)


def _clutter_background(image: Image.Image, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float32)
    bright = pixels.min(axis=2)
    spread = pixels.max(axis=2) - bright
    mask = np.clip((bright - 215) / 25, 0, 1) * np.clip((30 - spread) / 20, 0, 1)
    mask_img = Image.fromarray((mask * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5))
    background = _clutter(image.size, rng)
    return Image.composite(background, image, mask_img)


def _clutter(size: tuple[int, int], rng: random.Random) -> Image.Image:
    width, height = size
    seed = rng.randrange(2**31)
    noise = np.random.default_rng(seed)
    a, b = noise.uniform(30, 230, 3), noise.uniform(30, 230, 3)
    ramp = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    if rng.random() < 0.5:
        ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :, None].repeat(height, 0)
    field = a + (b - a) * np.broadcast_to(ramp, (height, width, 1))
    for cells in (4, 12):  # blotches at two scales: furniture-sized and fabric-sized
        low = noise.normal(0, 28 if cells == 4 else 14, (cells, cells, 3)).astype(np.float32)
        up = np.asarray(Image.fromarray(np.clip(low + 128, 0, 255).astype(np.uint8)).resize(
            (width, height), Image.Resampling.BICUBIC), dtype=np.float32) - 128
        field = field + up
    if rng.random() < 0.4:  # stripes: floorboards, blinds, a rail
        period = rng.uniform(8, 40)
        axis = np.arange(width if rng.random() < 0.5 else height, dtype=np.float32)
        stripes = 18 * np.sign(np.sin(2 * np.pi * axis / period))
        field = field + (stripes[None, :, None] if len(axis) == width else stripes[:, None, None])
    return Image.fromarray(np.clip(field, 0, 255).astype(np.uint8))


def _frame(image: Image.Image, rng: random.Random, *, size: int, min_area: float) -> Image.Image:
    width, height = image.size
    if rng.random() < 0.5:
        image = ImageOps.mirror(image)
    if rng.random() < 0.4:  # perspective: the phone is not square to the garment
        d = rng.uniform(0.04, 0.15)
        corners = [(rng.uniform(0, d) * width, rng.uniform(0, d) * height),
                   ((1 - rng.uniform(0, d)) * width, rng.uniform(0, d) * height),
                   ((1 - rng.uniform(0, d)) * width, (1 - rng.uniform(0, d)) * height),
                   (rng.uniform(0, d) * width, (1 - rng.uniform(0, d)) * height)]
        image = image.transform((width, height), Image.Transform.QUAD, sum(corners, ()),
                                Image.Resampling.BILINEAR, fillcolor=_edge_colour(image))
    if rng.random() < 0.5:
        image = image.rotate(rng.uniform(-15, 15), Image.Resampling.BILINEAR, fillcolor=_edge_colour(image))
    area = rng.uniform(min_area, 1.0) * width * height
    aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
    w = int(min(width, round(np.sqrt(area * aspect))))
    h = int(min(height, round(np.sqrt(area / aspect))))
    left, top = rng.randint(0, width - w), rng.randint(0, height - h)
    return image.resize((size, size), Image.Resampling.BILINEAR, box=(left, top, left + w, top + h))


def _edge_colour(image: Image.Image) -> tuple[int, int, int]:
    return image.getpixel((0, 0))


def _lighting(image: Image.Image, rng: random.Random) -> Image.Image:
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.6, 1.25))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.7, 1.2))
    image = ImageEnhance.Color(image).enhance(rng.uniform(0.85, 1.1))
    pixels = np.asarray(image, dtype=np.float32) / 255
    gamma = rng.uniform(0.8, 1.25)
    cast = np.array([rng.uniform(0.92, 1.08), 1.0, rng.uniform(0.92, 1.08)], dtype=np.float32)
    pixels = pixels ** gamma * cast
    if rng.random() < 0.4:  # a shading ramp: window light from one side
        ramp = np.linspace(rng.uniform(0.65, 1.0), rng.uniform(0.9, 1.1), pixels.shape[1], dtype=np.float32)
        pixels = pixels * (ramp[None, :, None] if rng.random() < 0.5 else ramp[::-1][None, :, None])
    return Image.fromarray(np.clip(pixels * 255, 0, 255).astype(np.uint8))


def _camera(image: Image.Image, rng: random.Random) -> Image.Image:
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.6)))
    if rng.random() < 0.3:
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels + np.random.default_rng(rng.randrange(2**31)).normal(0, rng.uniform(2, 8), pixels.shape)
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if rng.random() < 0.7:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=rng.randint(30, 90))
        buffer.seek(0)
        image = Image.open(buffer).convert("RGB")
    return image
