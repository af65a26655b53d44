"""Plain 2-D geometry for the silhouettes: points in a unit square (x right, y down, 0-1).

A silhouette is a `Shape`: polygons added to or cut from the garment's mask, parts painted in a
named material, seam lines and dots (buttons). Everything is a polygon or polyline of points, so
one `Transform` (scale, small rotation, to pixels) applies to all of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Point = tuple[float, float]
Points = list[Point]


@dataclass(frozen=True)
class Variation:
    """Seeded proportions, so products of one kind differ a little but still look alike.
    w, l: width and length factors near 1; a: a free knob in -1..1 (sleeve angle, heel height)."""

    w: float = 1.0
    l: float = 1.0
    a: float = 0.0


@dataclass
class Shape:
    # (polygon, True to add to the mask / False to cut a hole), applied in order.
    parts: list[tuple[Points, bool]] = field(default_factory=list)
    # Thin pieces of the mask itself (fringe, temples): (polyline, width).
    strokes: list[tuple[Points, float]] = field(default_factory=list)
    # Areas painted over the fabric in a material from palette.material: (material, polygon).
    fills: list[tuple[str, Points]] = field(default_factory=list)
    # Seams and edges of details: (polyline, width, material).
    lines: list[tuple[Points, float, str]] = field(default_factory=list)
    # Buttons, eyelets, clasps: (centre, radius, material).
    dots: list[tuple[Point, float, str]] = field(default_factory=list)

    def add(self, points: Points) -> None:
        self.parts.append((points, True))

    def cut(self, points: Points) -> None:
        self.parts.append((points, False))

    def fill(self, material: str, points: Points) -> None:
        self.fills.append((material, points))

    def line(self, points: Points, *, width: float = 0.005, material: str = "stitch") -> None:
        self.lines.append((points, width, material))

    def dot(self, centre: Point, *, r: float = 0.01, material: str = "button") -> None:
        self.dots.append((centre, r, material))


def mirror(left: Points) -> Points:
    """A closed, left-right symmetric polygon from its left half, traced from the top centre
    down the left side to the bottom centre."""
    return left + [(1.0 - x, y) for x, y in reversed(left)]


def flip(points: Points) -> Points:
    return [(1.0 - x, y) for x, y in points]


def ellipse(cx: float, cy: float, rx: float, ry: float, *, start: float = 0, end: float = 360, n: int = 48) -> Points:
    """Points on an ellipse; angles in degrees, clockwise on screen (0 = right, 90 = down)."""
    steps = max(2, round(n * abs(end - start) / 360))
    return [
        (cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
         cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
        for i in range(steps + 1)
    ]


def superellipse(cx: float, cy: float, rx: float, ry: float, *, power: float = 3.0, n: int = 64) -> Points:
    """A rounded rectangle-like oval: power 2 is an ellipse, larger is squarer."""
    points = []
    for i in range(n):
        t = 2 * math.pi * i / n
        c, s = math.cos(t), math.sin(t)
        points.append((cx + rx * math.copysign(abs(c) ** (2 / power), c),
                       cy + ry * math.copysign(abs(s) ** (2 / power), s)))
    return points


def band(cx: float, cy: float, rx: float, ry: float, *, width: float, start: float, end: float) -> Points:
    """A thick arc (a bag handle): the outer arc there and the inner arc back."""
    outer = ellipse(cx, cy, rx + width / 2, ry + width / 2, start=start, end=end, n=64)
    inner = ellipse(cx, cy, rx - width / 2, ry - width / 2, start=start, end=end, n=64)
    return outer + list(reversed(inner))


def curve(p0: Point, p1: Point, p2: Point, *, n: int = 16) -> Points:
    """A quadratic Bézier from p0 to p2 pulled towards p1."""
    points = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        points.append((u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                       u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]))
    return points


def toward(p: Point, q: Point, t: float) -> Point:
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


@dataclass(frozen=True)
class Transform:
    """Unit square -> pixels: scale about the centre, rotate by `angle` degrees, then to `size` px."""

    size: int
    scale: float = 1.0
    angle: float = 0.0

    def __call__(self, points: Points) -> list[tuple[float, float]]:
        cos, sin = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        out = []
        for x, y in points:
            dx, dy = (x - 0.5) * self.scale, (y - 0.5) * self.scale
            out.append(((0.5 + dx * cos - dy * sin) * self.size, (0.5 + dx * sin + dy * cos) * self.size))
        return out

    def length(self, value: float) -> float:
        return value * self.scale * self.size
