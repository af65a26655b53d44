"""The garment and accessory silhouettes, one function per kind: Variation in, Shape out.

Drawn as a flat lay (tops, bottoms, dresses, bags, hats, scarves, sunglasses from the front) or
in profile (sneakers), in the unit square with a margin, so every kind fills a similar share of
the picture. The shape is what tells kinds apart; details (collar, buttons, laces) are seams.
"""

from __future__ import annotations

import math
from typing import Callable

from .geometry import Points, Shape, Variation, band, curve, ellipse, flip, mirror, superellipse


def _top(v: Variation, *, top: float, hem: float, bw: float, nw: float, theta: float, length: float,
         width: float, armpit: float, flare: float = 1.0) -> tuple[Points, dict]:
    """Left half of a top with a sleeve at `theta` degrees below horizontal, and its key points."""
    shoulder = (0.5 - bw - 0.035, top + 0.03)
    t = math.radians(theta)
    end = (shoulder[0] - length * math.cos(t), shoulder[1] + length * math.sin(t))
    inner = (end[0] + width * math.sin(t), end[1] + width * math.cos(t))
    pit = (0.5 - bw, top + armpit)
    left = [(0.5, top), (0.5 - nw, top - 0.012), shoulder, end, inner, pit,
            (0.5 - bw * flare, hem), (0.5, hem)]
    return left, {"shoulder": shoulder, "end": end, "inner": inner, "pit": pit}


def _cuff(shape: Shape, k: dict, *, depth: float = 0.025) -> None:
    """A seam across the sleeve end, `depth` back towards the shoulder, on both sleeves."""
    (ex, ey), (ix, iy), (sx, sy) = k["end"], k["inner"], k["shoulder"]
    d = math.hypot(sx - ex, sy - ey)
    ox, oy = (sx - ex) / d * depth, (sy - ey) / d * depth
    seam = [(ex + ox, ey + oy), (ix + ox, iy + oy)]
    shape.line(seam, width=0.004)
    shape.line(flip(seam), width=0.004)


def tshirt(v: Variation) -> Shape:
    top, hem, nw = 0.17, 0.17 + 0.66 * v.l, 0.075
    left, k = _top(v, top=top, hem=hem, bw=0.19 * v.w, nw=nw, theta=30 + 6 * v.a, length=0.16, width=0.13,
                   armpit=0.19)
    shape = Shape()
    shape.add(mirror(left))
    shape.cut(ellipse(0.5, top - 0.012, nw, 0.055))
    shape.line(ellipse(0.5, top - 0.012, nw + 0.014, 0.069, start=15, end=165), width=0.005)
    _cuff(shape, k)
    shape.line([(0.5 - 0.19 * v.w, hem - 0.025), (0.5 + 0.19 * v.w, hem - 0.025)], width=0.004)
    return shape


def shirt(v: Variation) -> Shape:
    top, hem, nw, bw = 0.15, 0.15 + 0.72 * v.l, 0.06, 0.185 * v.w
    left, k = _top(v, top=top, hem=hem - 0.03, bw=bw, nw=nw, theta=68 + 5 * v.a, length=0.47, width=0.1,
                   armpit=0.2)
    left[-2:] = curve((0.5 - bw, hem - 0.05), (0.5 - bw * 0.5, hem + 0.03), (0.5, hem), n=10)
    shape = Shape()
    shape.add(mirror(left))
    collar = [(0.5 - nw - 0.005, top - 0.018), (0.495, top + 0.07), (0.5 - 0.095, top + 0.1)]
    for side in (collar, flip(collar)):
        shape.fill("shade", side)
        shape.line(side + side[:1], width=0.005)
    shape.line([(0.5 - 0.018, top + 0.07), (0.5 - 0.018, hem + 0.005)], width=0.004)
    for i in range(6):
        shape.dot((0.5, top + 0.11 + i * (hem - top - 0.16) / 5), r=0.011)
    _cuff(shape, k, depth=0.06)
    pocket = [(0.5 - bw + 0.04, top + 0.16), (0.5 - 0.06, top + 0.16), (0.5 - 0.06, top + 0.25),
              (0.5 - bw + 0.04, top + 0.25), (0.5 - bw + 0.04, top + 0.16)]
    shape.line(pocket, width=0.004)
    return shape


def sweater(v: Variation) -> Shape:
    top, hem, nw, bw = 0.16, 0.16 + 0.68 * v.l, 0.08, 0.2 * v.w
    left, k = _top(v, top=top, hem=hem, bw=bw, nw=nw, theta=58 + 6 * v.a, length=0.46, width=0.12,
                   armpit=0.22, flare=0.94)
    shape = Shape()
    shape.add(mirror(left))
    shape.cut(ellipse(0.5, top - 0.015, nw, 0.05))
    shape.fill("shade", ellipse(0.5, top - 0.015, nw + 0.025, 0.075, start=0, end=180)
               + ellipse(0.5, top - 0.015, nw, 0.05, start=180, end=0))
    rib = 0.06
    hem_band = [(0.5 - bw * 0.94, hem - rib), (0.5 + bw * 0.94, hem - rib), (0.5 + bw * 0.94, hem),
                (0.5 - bw * 0.94, hem)]
    shape.fill("shade", hem_band)
    for i in range(1, 24):
        x = 0.5 - bw * 0.94 + i * (2 * bw * 0.94) / 24
        shape.line([(x, hem - rib + 0.006), (x, hem - 0.004)], width=0.003)
    _cuff(shape, k, depth=0.06)
    return shape


def jacket(v: Variation) -> Shape:
    top, hem, nw, bw = 0.15, 0.15 + 0.7 * v.l, 0.07, 0.2 * v.w
    left, k = _top(v, top=top, hem=hem, bw=bw, nw=nw, theta=70 + 4 * v.a, length=0.48, width=0.115,
                   armpit=0.21)
    shape = Shape()
    shape.add(mirror(left))
    deep = top + 0.3
    shape.fill("lining", [(0.5 - nw + 0.01, top - 0.01), (0.5, deep), (0.5 + nw - 0.01, top - 0.01)])
    lapel = [(0.5 - nw + 0.01, top - 0.012), (0.5 - nw - 0.045, top + 0.08), (0.5 - nw - 0.02, top + 0.1),
             (0.5 - nw - 0.035, top + 0.13), (0.499, deep)]
    for side in (lapel, flip(lapel)):
        shape.fill("shade", side)
        shape.line(side + side[:1], width=0.005)
    shape.line([(0.5, deep), (0.5, hem)], width=0.005)
    for y in (deep + 0.06, deep + 0.19):
        shape.dot((0.5 - 0.025, y), r=0.013)
    for y in (top + 0.46,):
        flap = [(0.5 - bw + 0.03, y), (0.5 - 0.07, y - 0.006)]
        shape.line(flap, width=0.006)
        shape.line(flip(flap), width=0.006)
    _cuff(shape, k, depth=0.07)
    return shape


def dress(v: Variation) -> Shape:
    waist, hem, hw = 0.42, 0.42 + 0.46 * v.l, 0.3 * v.w
    left = [(0.5, 0.2), (0.5 - 0.06, 0.12), (0.5 - 0.11, 0.12), (0.5 - 0.155, 0.25),
            (0.5 - 0.12, waist)] + curve((0.5 - hw, hem - 0.02), (0.5 - hw * 0.45, hem + 0.03), (0.5, hem + 0.02),
                                         n=12)
    shape = Shape()
    shape.add(mirror(left))
    shape.cut(curve((0.5 - 0.06, 0.12), (0.5, 0.245), (0.5 + 0.06, 0.12)))
    shape.fill("shade", [(0.5 - 0.122, waist - 0.025), (0.5 + 0.122, waist - 0.025), (0.5 + 0.124, waist + 0.01),
                         (0.5 - 0.124, waist + 0.01)])
    for x0, x1 in ((0.44, 0.36), (0.56, 0.64), (0.5, 0.5)):
        shape.line([(x0, waist + 0.06), (x1, hem - 0.06)], width=0.003, material="shade")
    return shape


def skirt(v: Variation) -> Shape:
    top, hem, hw = 0.2, 0.2 + 0.58 * v.l, 0.31 * v.w
    left = [(0.5, top), (0.5 - 0.15, top), (0.5 - 0.155, top + 0.06)] + curve(
        (0.5 - hw, hem - 0.02), (0.5 - hw * 0.5, hem + 0.03), (0.5, hem + 0.02), n=12)
    shape = Shape()
    shape.add(mirror(left))
    shape.fill("shade", [(0.35, top), (0.65, top), (0.6545, top + 0.055), (0.3455, top + 0.055)])
    for i in range(1, 6):
        x = 0.5 - 0.15 + i * 0.3 / 6
        shape.line([(x, top + 0.07), (0.5 + (x - 0.5) * hw / 0.15 * 0.92, hem - 0.02)], width=0.003, material="shade")
    return shape


def _legs(v: Variation, *, top: float, hem: float, crotch: float, waist: float, outer: float, inner: float) -> Points:
    return [(0.5, top), (0.5 - waist, top), (0.5 - waist - 0.015, top + 0.2 * (hem - top)),
            (0.5 - outer, hem), (0.5 - inner, hem + 0.005), (0.5, crotch)]


def trousers(v: Variation) -> Shape:
    top, hem = 0.08, 0.08 + 0.84 * v.l
    shape = Shape()
    shape.add(mirror(_legs(v, top=top, hem=hem, crotch=0.42, waist=0.175 * v.w, outer=(0.19 + 0.01 * v.a) * v.w,
                           inner=0.03)))
    shape.fill("shade", [(0.5 - 0.175 * v.w, top), (0.5 + 0.175 * v.w, top),
                         (0.5 + 0.178 * v.w, top + 0.045), (0.5 - 0.178 * v.w, top + 0.045)])
    shape.line(curve((0.5, top + 0.05), (0.47, top + 0.18), (0.5, 0.38)), width=0.004)
    pocket = curve((0.5 - 0.115, top + 0.05), (0.5 - 0.13, top + 0.12), (0.5 - 0.185 * v.w, top + 0.13))
    for side in (pocket, flip(pocket)):
        shape.line(side, width=0.004)
    crease = [(0.5 - 0.11 * v.w, 0.3), (0.5 - 0.115 * v.w, hem - 0.02)]
    for side in (crease, flip(crease)):
        shape.line(side, width=0.003, material="shade")
    return shape


def shorts(v: Variation) -> Shape:
    top, hem, waist = 0.2, 0.2 + 0.54 * v.l, 0.22 * v.w
    outer = (0.27 + 0.015 * v.a) * v.w
    shape = Shape()
    shape.add(mirror(_legs(v, top=top, hem=hem, crotch=0.55, waist=waist, outer=outer, inner=0.018)))
    shape.fill("shade", [(0.5 - waist, top), (0.5 + waist, top), (0.5 + waist + 0.004, top + 0.06),
                         (0.5 - waist - 0.004, top + 0.06)])
    shape.line(curve((0.5, top + 0.065), (0.465, top + 0.18), (0.5, 0.5)), width=0.004)
    pocket = curve((0.5 - waist + 0.07, top + 0.065), (0.5 - waist + 0.055, top + 0.14), (0.5 - waist - 0.02,
                                                                                             top + 0.15))
    cuff = [(0.5 - outer + 0.004, hem - 0.05), (0.5 - 0.02, hem - 0.045)]
    for part in (pocket, cuff):
        shape.line(part, width=0.004)
        shape.line(flip(part), width=0.004)
    return shape


def sneaker(v: Variation) -> Shape:
    lift = 0.025 * v.a  # a higher or lower collar line
    toe = 0.89 + 0.02 * (v.w - 1)
    upper = (curve((0.145, 0.64), (0.095, 0.5), (0.165, 0.39 - lift), n=10)
             + curve((0.165, 0.39 - lift), (0.27, 0.37 - lift), (0.36, 0.44), n=10)
             + [(0.4, 0.33), (0.445, 0.305), (0.49, 0.315)]
             + curve((0.5, 0.36), (0.62, 0.45), (0.74, 0.485), n=10)
             + curve((0.74, 0.485), (toe + 0.03, 0.5), (toe + 0.02, 0.63), n=10))
    sole = ([(0.115, 0.615), (toe + 0.01, 0.605)] + curve((toe + 0.01, 0.605), (toe + 0.05, 0.62), (toe + 0.035, 0.66))
            + curve((toe + 0.035, 0.66), (toe + 0.03, 0.71), (toe - 0.01, 0.71)) + [(0.15, 0.71)]
            + curve((0.15, 0.71), (0.1, 0.71), (0.115, 0.615)))
    shape = Shape()
    shape.add(upper)
    shape.add(sole)
    shape.fill("sole", sole)
    shape.line([(0.125, 0.665), (toe + 0.03, 0.665)], width=0.004, material="shade")
    shape.fill("shade", curve((0.135, 0.6), (0.1, 0.5), (0.165, 0.39 - lift), n=8)
               + [(0.22, 0.385 - lift), (0.205, 0.5), (0.215, 0.6)])
    shape.line(curve((0.26, 0.58), (0.42, 0.56), (0.58, 0.45)), width=0.022, material="light")
    shape.line(curve((0.64, 0.61), (0.74, 0.5), (toe + 0.02, 0.585)), width=0.005)
    for i in range(5):
        x, y = 0.47 + i * 0.045, 0.365 + i * 0.024
        shape.line([(x - 0.022, y + 0.02), (x + 0.022, y - 0.02)], width=0.007, material="light")
        shape.dot((x - 0.026, y + 0.025), r=0.006, material="stitch")
    return shape


def bag(v: Variation) -> Shape:
    top, bottom, tw, bw = 0.42, 0.42 + 0.4 * v.l, 0.23 * v.w, 0.3 * v.w
    body = [(0.5 - tw, top), (0.5 + tw, top), (0.5 + bw, bottom - 0.05)] + curve(
        (0.5 + bw, bottom - 0.05), (0.5 + bw, bottom), (0.5 + bw - 0.05, bottom), n=6) + curve(
        (0.5 - bw + 0.05, bottom), (0.5 - bw, bottom), (0.5 - bw, bottom - 0.05), n=6)
    shape = Shape()
    shape.add(body)
    handle = band(0.5, top + 0.005, 0.14 + 0.02 * v.a, 0.22, width=0.035, start=180, end=360)
    shape.add(handle)
    flap = [(0.5 - tw, top), (0.5 + tw, top), (0.5 + tw * 1.06, top + 0.13), (0.5, top + 0.18),
            (0.5 - tw * 1.06, top + 0.13)]
    shape.fill("shade", flap)
    shape.line(flap + flap[:1], width=0.005)
    shape.dot((0.5, top + 0.165), r=0.02, material="metal")
    for x in (0.5 - 0.14, 0.5 + 0.14):
        shape.dot((x + 0.02 * v.a, top + 0.01), r=0.013, material="metal")
    return shape


def hat(v: Variation) -> Shape:
    base, crown_top, cw = 0.6, 0.6 - 0.3 * v.l, 0.2 * v.w
    crown = [(0.5 - cw - 0.01, base)] + curve((0.5 - cw, crown_top + 0.06), (0.5, crown_top - 0.06),
                                              (0.5 + cw, crown_top + 0.06), n=20) + [(0.5 + cw + 0.01, base)]
    shape = Shape()
    shape.add(crown)
    shape.add(ellipse(0.5, base, 0.37 * v.w + 0.02, 0.09, n=96))
    shape.fill("band", [(0.5 - cw - 0.008, base - 0.075)] + ellipse(0.5, base - 0.075, cw + 0.006, 0.03, start=180,
                                                                   end=0) + [(0.5 + cw + 0.01, base)]
               + ellipse(0.5, base, cw + 0.01, 0.035, start=0, end=180))
    shape.line(ellipse(0.5, base, cw + 0.012, 0.036, start=0, end=180), width=0.005)
    shape.line(curve((0.5, crown_top + 0.01), (0.49, crown_top + 0.06), (0.5, crown_top + 0.12)), width=0.004)
    return shape


def scarf(v: Variation) -> Shape:
    """Wrapped once round a neck that is not there: a soft roll on top, two tails with fringe."""
    shape = Shape()
    roll = ellipse(0.5, 0.25, 0.2 * v.w, 0.085, n=72)
    shape.add(roll)
    shape.fill("shade", ellipse(0.5, 0.235, 0.13 * v.w, 0.04, n=48))
    shape.line(ellipse(0.5, 0.235, 0.13 * v.w, 0.04, start=0, end=180), width=0.004)
    long_end, short_end = 0.82 * v.l + 0.08, 0.72 * v.l + 0.1
    tails = [
        [(0.36, 0.28), (0.5, 0.3), (0.49 + 0.01 * v.a, long_end), (0.345 + 0.01 * v.a, long_end - 0.01)],
        [(0.49, 0.3), (0.62, 0.29), (0.66, short_end), (0.525, short_end + 0.01)],
    ]
    for tail in tails:
        shape.add(tail)
        (x0, y0), (x1, y1) = tail[3], tail[2]
        for i in range(10):
            t = (i + 0.5) / 10
            x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            shape.strokes.append(([(x, y - 0.005), (x + 0.002, y + 0.055)], 0.0065))
        shape.line([(x0, y0 - 0.006), (x1, y1 - 0.006)], width=0.004)
    shape.line([(0.49, 0.3), (0.525, short_end + 0.01)], width=0.004)
    knot = [(0.45, 0.27), (0.56, 0.265), (0.565, 0.35), (0.46, 0.36)]
    shape.add(knot)
    shape.fill("shade", knot)
    shape.line(knot + knot[:1], width=0.004)
    return shape


def sunglasses(v: Variation) -> Shape:
    rx, ry, gap = 0.18 * v.w, 0.125 * v.l, 0.04
    cx_left, cy = 0.5 - gap - rx, 0.52
    shape = Shape()
    for cx in (cx_left, 1 - cx_left):
        shape.add(superellipse(cx, cy, rx, ry, power=3.2 + 0.6 * v.a))
        shape.fill("lens", superellipse(cx, cy + 0.004, rx - 0.027, ry - 0.027, power=3.2 + 0.6 * v.a))
        shape.line([(cx - rx * 0.55, cy + ry * 0.25), (cx - rx * 0.15, cy - ry * 0.45)], width=0.012,
                   material="glint")
    shape.add(band(0.5, cy - ry * 0.35, gap + 0.01, 0.04, width=0.03, start=200, end=340))
    shape.strokes.append(([(cx_left - rx + 0.01, cy - ry * 0.65), (cx_left - rx - 0.05, cy - ry * 0.58)], 0.03))
    shape.strokes.append(([(1 - cx_left + rx - 0.01, cy - ry * 0.65), (1 - cx_left + rx + 0.05, cy - ry * 0.58)],
                          0.03))
    return shape


# The kind's key is what the catalogue and tests use; order is the order of the contact sheet.
SILHOUETTES: dict[str, Callable[[Variation], Shape]] = {
    "tshirt": tshirt, "shirt": shirt, "sweater": sweater, "jacket": jacket, "dress": dress, "skirt": skirt,
    "trousers": trousers, "shorts": shorts, "sneakers": sneaker, "bag": bag, "hat": hat, "scarf": scarf,
    "sunglasses": sunglasses,
}
