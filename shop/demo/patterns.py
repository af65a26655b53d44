"""Fabric patterns painted over a whole canvas; the renderer later keeps only what the mask covers.

In: an RGB canvas already filled with the fabric colour, the accent colour, a period in pixels
(one repeat of the print) and a seeded `random.Random` for offsets. Out: the canvas, painted.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from .palette import FLOWER_CENTRE, RGB, mix

PATTERNS = ("solid", "stripes", "checks", "dots", "floral")


def paint(canvas: Image.Image, *, pattern: str, accent: RGB, period: float, vertical: bool,
          rng: random.Random) -> Image.Image:
    if pattern == "solid":
        return canvas
    if pattern == "stripes":
        return _stripes(canvas, accent=accent, period=period, vertical=vertical, offset=rng.random())
    if pattern == "checks":
        return _checks(canvas, accent=accent, period=period * 1.2, offset=rng.random())
    if pattern == "dots":
        return _dots(canvas, accent=accent, period=period * 0.9, offset=rng.random())
    if pattern == "floral":
        return _floral(canvas, accent=accent, period=period * 1.7, rng=rng)
    raise ValueError(f"unknown pattern {pattern!r}")


def _stripes(canvas: Image.Image, *, accent: RGB, period: float, vertical: bool, offset: float) -> Image.Image:
    size = canvas.width
    draw = ImageDraw.Draw(canvas)
    start = -period * (1 + offset)
    for i in range(int(size / period) + 3):
        a = start + i * period
        if vertical:
            draw.rectangle([a, 0, a + period * 0.38, size], fill=accent)
        else:
            draw.rectangle([0, a, size, a + period * 0.38], fill=accent)
    return canvas


def _checks(canvas: Image.Image, *, accent: RGB, period: float, offset: float) -> Image.Image:
    """Gingham: accent bands both ways, half strength where one crosses the ground, full where two cross."""
    size = canvas.width
    axis = (np.arange(size) + offset * period) % period < period / 2
    weight = 0.5 * axis[None, :].astype(np.float32) + 0.5 * axis[:, None].astype(np.float32)
    base = np.asarray(canvas, dtype=np.float32)
    painted = base + (np.array(accent, dtype=np.float32) - base) * weight[..., None] * 0.85
    return Image.fromarray(painted.round().astype(np.uint8), "RGB")


def _dots(canvas: Image.Image, *, accent: RGB, period: float, offset: float) -> Image.Image:
    size = canvas.width
    draw = ImageDraw.Draw(canvas)
    r = period * 0.2
    rows = int(size / period) + 2
    for row in range(-1, rows):
        shift = (period / 2 if row % 2 else 0) + offset * period
        y = row * period + period / 2
        for col in range(-1, rows):
            x = col * period + shift
            draw.ellipse([x - r, y - r, x + r, y + r], fill=accent)
    return canvas


def _floral(canvas: Image.Image, *, accent: RGB, period: float, rng: random.Random) -> Image.Image:
    """Five-petal blossoms with a leaf each, on a jittered grid so the print looks hand-set."""
    size = canvas.width
    draw = ImageDraw.Draw(canvas)
    petal = period * 0.17
    leaf_colour = mix(accent, (60, 110, 70), 0.55)
    cells = int(size / period) + 2
    for row in range(-1, cells):
        for col in range(-1, cells):
            cx = (col + (0.5 if row % 2 else 0)) * period + rng.uniform(-0.15, 0.15) * period
            cy = row * period + rng.uniform(-0.15, 0.15) * period
            turn = rng.uniform(0, 2 * math.pi)
            lx, ly = cx + math.cos(turn + 2.5) * petal * 2.2, cy + math.sin(turn + 2.5) * petal * 2.2
            draw.ellipse([lx - petal * 0.9, ly - petal * 0.45, lx + petal * 0.9, ly + petal * 0.45], fill=leaf_colour)
            for k in range(5):
                angle = turn + k * 2 * math.pi / 5
                px, py = cx + math.cos(angle) * petal, cy + math.sin(angle) * petal
                draw.ellipse([px - petal * 0.75, py - petal * 0.75, px + petal * 0.75, py + petal * 0.75], fill=accent)
            draw.ellipse([cx - petal * 0.45, cy - petal * 0.45, cx + petal * 0.45, cy + petal * 0.45],
                         fill=FLOWER_CENTRE)
    return canvas
