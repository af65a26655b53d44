"""What the encoder trains and is measured on: the shop's products with a photo, and shopper photos by class.

In: the catalogue in PostgreSQL (active products with an image and a leaf category); a shopper-photos folder
(``<class>/<file>.jpg``, see labels.SHOPPER_CLASSES). Out: ``CatalogueItem`` rows (image path, slug, labels) split
by the existing rule (``recommender.vectors.projection.held_out``: sha256 of the slug; the held-out half is
never trained on), and ``ShopperPhoto`` rows.
"""

from __future__ import annotations

import hashlib

from dataclasses import dataclass, field
from pathlib import Path

from shop.catalog.models import ProductImage


def held_out(key: str) -> bool:
    """True for the held-out half: fixed by the key (the product's slug), whatever else is in the catalogue. The
    same rule as the visual evaluation's split (benchmarks.lda_projection), so no trained encoder ever saw the half
    it is measured on."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 2 == 1

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass(frozen=True)
class CatalogueItem:
    product_id: int
    slug: str
    path: str
    category: str
    colour: str = ""
    department: str = ""
    usage: str = ""
    season: str = ""
    attributes: dict = field(default_factory=dict)

    @property
    def held_out(self) -> bool:
        return held_out(self.slug)


@dataclass(frozen=True)
class ShopperPhoto:
    path: str
    shopper_class: str


def catalogue_items(*, limit: int | None = None) -> list[CatalogueItem]:
    """Active products with a stored image file and a category, ordered by id; the first image of each."""

    rows = (ProductImage.objects.filter(product__is_active=True, product__category__isnull=False)
            .select_related("product", "product__category").order_by("product_id", "position", "pk"))
    items: dict[int, CatalogueItem] = {}
    for image in rows.iterator(chunk_size=2000):
        product = image.product
        if product.pk in items:
            continue
        try:
            path = image.image.path
        except (NotImplementedError, ValueError):
            continue  # a storage without local files: nothing to train on here
        if not Path(path).is_file():
            continue
        items[product.pk] = CatalogueItem(
            product_id=product.pk, slug=product.slug, path=path, category=product.category.name,
            colour=product.base_colour or "", department=product.gender or "", usage=product.usage or "",
            season=product.season or "",
            attributes={str(k): str(v) for k, v in (product.attributes or {}).items() if isinstance(v, (str, int))},
        )
        if limit is not None and len(items) >= limit:
            break
    return list(items.values())


def split(items: list[CatalogueItem]) -> tuple[list[CatalogueItem], list[CatalogueItem]]:
    """(training half, held-out half)."""
    return [item for item in items if not item.held_out], [item for item in items if item.held_out]


def shopper_photos(folder: Path | str | None) -> list[ShopperPhoto]:
    """Every image under ``folder/<class>/``, sorted; [] when the folder is absent."""
    if not folder:
        return []
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [
        ShopperPhoto(str(path), class_dir.name)
        for class_dir in sorted(p for p in folder.iterdir() if p.is_dir())
        for path in sorted(class_dir.iterdir())
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]
