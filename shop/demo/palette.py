"""The demo catalogue's named colours and the tones derived from them.

In: a colour name from `COLOURS`. Out: RGB tuples (0-255) for the fabric, its pattern accent and
the fixed materials (rubber soles, linings, lenses) the renderer paints over it.
The accent depends on the colour only, never on a seed, so two "navy striped" items share it.
"""

from __future__ import annotations

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "Black": (40, 40, 44),
    "White": (242, 239, 232),
    "Navy": (38, 55, 92),
    "Blue": (64, 124, 196),
    "Red": (196, 52, 56),
    "Green": (54, 120, 86),
    "Olive": (118, 120, 66),
    "Beige": (214, 194, 160),
    "Brown": (122, 82, 54),
    "Grey": (140, 144, 150),
    "Pink": (232, 150, 172),
    "Yellow": (232, 196, 70),
    "Burgundy": (118, 34, 52),
}

# A second colour per fabric colour for stripes, checks, dots and flowers: chosen to contrast
# the way real prints do (ivory on dark grounds, a deep tone on light ones).
_IVORY: RGB = (246, 243, 235)
ACCENTS: dict[str, RGB] = {
    "Black": _IVORY,
    "White": (38, 55, 92),
    "Navy": _IVORY,
    "Blue": _IVORY,
    "Red": _IVORY,
    "Green": (236, 222, 180),
    "Olive": (236, 222, 180),
    "Beige": (122, 82, 54),
    "Brown": (230, 206, 160),
    "Grey": (40, 40, 44),
    "Pink": (118, 34, 52),
    "Yellow": (38, 55, 92),
    "Burgundy": (236, 200, 140),
}
# Flower centres: a warm mustard reads as a blossom on every ground in the palette.
FLOWER_CENTRE: RGB = (226, 172, 60)
SOLE: RGB = (244, 242, 236)
LENS: RGB = (34, 38, 46)
METAL: RGB = (204, 170, 96)
GLINT: RGB = (92, 100, 114)  # the sky reflected in a dark lens


def luminance(rgb: RGB) -> float:
    """Perceived brightness, 0 (black) to 255 (white)."""
    r, g, b = rgb
    return 0.299 * r + 0.587 * g + 0.114 * b


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """`a` moved a fraction `t` (0-1) of the way towards `b`."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def scale(rgb: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(c * factor))) for c in rgb)  # type: ignore[return-value]


def material(name: str, *, base: RGB) -> RGB:
    """The colour of a named part painted over the fabric (`base`)."""
    dark = luminance(base) < 110
    if name == "shade":  # a fold, a collar's underside: the fabric a little darker
        return scale(base, 0.86)
    if name == "light":  # a contrasting trim (sneaker stripe)
        return mix(base, (255, 255, 255), 0.75) if dark else mix(base, (30, 30, 34), 0.7)
    if name == "lining":
        return mix(base, (20, 20, 24), 0.55)
    if name == "band":  # a hat band: dark on light hats, light on dark ones
        return (226, 214, 190) if dark else (48, 44, 44)
    if name == "button":
        return mix(base, (255, 255, 255), 0.55) if dark else mix(base, (0, 0, 0), 0.45)
    if name == "stitch":  # seams and outlines of details
        return mix(base, (255, 255, 255), 0.25) if luminance(base) < 60 else scale(base, 0.62)
    fixed = {"sole": SOLE, "lens": LENS, "metal": METAL, "glint": GLINT}
    return fixed[name]
