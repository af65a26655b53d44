"""A contact sheet of demo products, to look at the catalogue at a glance (docs, reviews of the renderer).

In: how many products, the seed, columns and thumbnail size. Out: one RGB image, a grid of photos.
Run: `python -m shop.demo.sheet OUT.png [N] [SEED]` (needs no database).
"""

from __future__ import annotations

import io
import sys

from PIL import Image

from .render import render_job
from .specs import demo_product_specs


def contact_sheet(*, products: int = 30, seed: int = 7, columns: int = 6, thumb: int = 200) -> Image.Image:
    specs = demo_product_specs(n=products, seed=seed)
    rows = -(-len(specs) // columns)
    sheet = Image.new("RGB", (columns * thumb, rows * thumb), "white")
    for i, spec in enumerate(specs):
        photo = Image.open(io.BytesIO(render_job((spec.kind, spec.colour, spec.pattern, spec.image_seed))))
        sheet.paste(photo.resize((thumb, thumb), Image.Resampling.LANCZOS), ((i % columns) * thumb, (i // columns) * thumb))
    return sheet


if __name__ == "__main__":
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    contact_sheet(products=count, seed=int(sys.argv[3]) if len(sys.argv) > 3 else 7).save(out, optimize=True)
