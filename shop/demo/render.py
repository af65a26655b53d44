"""Product photos for the demo catalogue, drawn with Pillow: no data from outside the project.

In: kind (a key of SILHOUETTES), colour (a key of palette.COLOURS), pattern (one of PATTERNS), seed.
Out: a 512×512 RGB picture of the item on white with soft light and a drop shadow, or its JPEG bytes.

Deterministic: the same four arguments give the same pixels (and bytes, with one Pillow build).
The seed varies proportions, a small tilt and the print's scale; the silhouette depends only on
(kind, seed), so recolouring or re-patterning an item changes the pixels inside it and nothing else.
The fabric is drawn at 2× and downscaled with LANCZOS, which anti-aliases every edge; light,
outline and shadow are smooth, so they are computed at the final size where they cost a quarter.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .geometry import Shape, Transform, Variation
from .palette import ACCENTS, COLOURS, material, scale
from .patterns import PATTERNS, paint
from .silhouettes import SILHOUETTES

SIZE = 512
SUPERSAMPLE = 2
KINDS = tuple(SILHOUETTES)
# Prints that run lengthwise on these kinds (pinstripe trousers, striped shirts), across on the rest.
_VERTICAL_STRIPES = {"shirt", "trousers", "skirt", "bag"}
_PERIOD = 0.055  # one repeat of a print, as a share of the picture's width


@dataclass(frozen=True)
class Rendered:
    image: Image.Image  # RGB, SIZE×SIZE
    mask: np.ndarray  # float32 SIZE×SIZE, 1 inside the item, 0 outside, fractional on its edge


def render_product(*, kind: str, colour: str, pattern: str, seed: int) -> Image.Image:
    return render(kind=kind, colour=colour, pattern=pattern, seed=seed).image


def render_product_jpeg(*, kind: str, colour: str, pattern: str, seed: int, quality: int = 88) -> bytes:
    buffer = io.BytesIO()
    render_product(kind=kind, colour=colour, pattern=pattern, seed=seed).save(
        buffer, format="JPEG", quality=quality, optimize=True
    )
    return buffer.getvalue()


def render_job(job: tuple[str, str, str, int]) -> bytes:
    """render_product_jpeg for a process pool: (kind, colour, pattern, seed) in, JPEG bytes out.
    It lives here, away from Django models, so a spawned worker can import it without settings."""
    kind, colour, pattern, seed = job
    return render_product_jpeg(kind=kind, colour=colour, pattern=pattern, seed=seed)


def render(*, kind: str, colour: str, pattern: str, seed: int) -> Rendered:
    if kind not in SILHOUETTES:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if colour not in COLOURS:
        raise ValueError(f"unknown colour {colour!r}; expected one of {', '.join(COLOURS)}")
    if pattern not in PATTERNS:
        raise ValueError(f"unknown pattern {pattern!r}; expected one of {', '.join(PATTERNS)}")
    # Separate streams, so the shape does not move when only the colour or the print changes.
    shape_rng = random.Random(f"shape|{kind}|{seed}")
    variation = Variation(w=shape_rng.uniform(0.94, 1.06), l=shape_rng.uniform(0.94, 1.05),
                          a=shape_rng.uniform(-1, 1))
    big = SIZE * SUPERSAMPLE
    transform = Transform(size=big, scale=shape_rng.uniform(0.95, 1.02), angle=shape_rng.uniform(-2.5, 2.5))
    shape = SILHOUETTES[kind](variation)

    tone_rng = random.Random(f"tone|{kind}|{colour}|{seed}")
    base = scale(COLOURS[colour], tone_rng.uniform(0.96, 1.04))
    print_rng = random.Random(f"print|{kind}|{pattern}|{seed}")
    fabric = paint(Image.new("RGB", (big, big), base), pattern=pattern, accent=ACCENTS[colour],
                   period=transform.length(_PERIOD) * print_rng.uniform(0.85, 1.2),
                   vertical=kind in _VERTICAL_STRIPES, rng=print_rng)
    _paint_details(fabric, shape=shape, base=base, transform=transform)
    mask = _mask(shape, transform=transform, size=big)

    fabric = fabric.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    mask = mask.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return _light_and_place(fabric, mask)


def _mask(shape: Shape, *, transform: Transform, size: int) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    for points, adds in shape.parts:
        draw.polygon(transform(points), fill=255 if adds else 0)
    for points, width in shape.strokes:
        draw.line(transform(points), fill=255, width=max(1, round(transform.length(width))), joint="curve")
    return mask


def _paint_details(canvas: Image.Image, *, shape: Shape, base, transform: Transform) -> None:
    draw = ImageDraw.Draw(canvas)
    for name, points in shape.fills:
        draw.polygon(transform(points), fill=material(name, base=base))
    for points, width, name in shape.lines:
        draw.line(transform(points), fill=material(name, base=base), width=max(1, round(transform.length(width))),
                  joint="curve")
    for centre, r, name in shape.dots:
        (x, y), radius = transform([centre])[0], transform.length(r)
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=material(name, base=base),
                     outline=material("stitch", base=base), width=max(1, round(radius * 0.18)))


def _blurred(mask: Image.Image, *, radius: float, shift: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The mask softened (a quarter size, then back up: a wide blur at a fraction of the cost), 0-1."""
    quarter = mask.resize((SIZE // 4, SIZE // 4), Image.Resampling.BILINEAR)
    if shift != (0, 0):
        moved = Image.new("L", quarter.size, 0)
        moved.paste(quarter, shift)
        quarter = moved
    soft = quarter.filter(ImageFilter.GaussianBlur(radius / 4)).resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    return np.asarray(soft, dtype=np.float32) / 255.0


def _light_and_place(fabric: Image.Image, mask_image: Image.Image) -> Rendered:
    mask = np.asarray(mask_image, dtype=np.float32) / 255.0
    colour = np.asarray(fabric, dtype=np.float32)
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE

    # Volume: cloth darkens where it turns away, i.e. near its outline; light comes from the top left.
    volume = _blurred(mask_image, radius=22)
    light = (0.8 + 0.22 * volume) * (1.07 - 0.12 * ys - 0.05 * xs)
    colour *= light[..., None]
    glow = 0.07 * np.exp(-((xs - 0.38) ** 2 + (ys - 0.32) ** 2) / 0.06)
    colour += (255.0 - colour) * glow[..., None]

    # A slight outline, so white and beige items keep an edge on the white page.
    eroded = mask.copy()
    for dy, dx in ((2, 0), (-2, 0), (0, 2), (0, -2)):
        eroded = np.minimum(eroded, np.roll(mask, (dy, dx), axis=(0, 1)))
    colour *= (1.0 - 0.3 * (mask - eroded))[..., None]

    shadow = _blurred(mask_image, radius=14, shift=(2, 4))
    page = 255.0 * (1.0 - 0.2 * shadow)[..., None]
    out = page + (colour - page) * mask[..., None]
    image = Image.fromarray(np.clip(out, 0, 255).round().astype(np.uint8), "RGB")
    return Rendered(image=image, mask=mask)
