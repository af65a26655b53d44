"""Photo search as the web and API layers call it: read the upload once, search, keep it only if asked.

In: an uploaded file (any file-like), ``ProductFilters``, ``keep``. Out: ``PhotoSearchOutcome`` with
the ordered products (catalog rows from ``for_listing()``, each with ``similarity``), the predicted
category (a Category or None) with its confidence, and the storage name of the kept upload or None.
Raises ``loading.ImageRejected`` for anything that is not a usable image (the caller answers 400).

Privacy: the upload is processed in memory and dropped, unless the shopper opted in (``keep``); then
it is saved to ``search-uploads/`` in the default storage, after it decoded as an image.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from recommender.conf import recommender_setting
from recommender.embeddings.loading import read_image_bytes, sniff_format
from recommender.search.photo import photo_search
from recommender.vectors.nearest import ProductFilters
from shop.catalog.models import Category, Product

KEPT_FOLDER = "search-uploads"


@dataclass
class PhotoSearchOutcome:
    products: list = field(default_factory=list)  # Product rows, nearest first, with .similarity
    category: Category | None = None
    confidence: float = 0.0
    kept_as: str | None = None

    @property
    def confidence_percent(self) -> int:
        return round(self.confidence * 100)


def photo_search_run(*, upload, filters: ProductFilters, keep: bool = False, k: int | None = None) -> PhotoSearchOutcome:
    data = read_image_bytes(upload, max_bytes=int(recommender_setting("PHOTO_MAX_BYTES")))
    result = photo_search(source=data, filters=filters, k=k)
    similarity = dict(result.products)
    products = products_in_order(ids=list(similarity))
    for product in products:
        product.similarity = similarity[product.pk]
    category = None
    if result.vote.category_id is not None:
        category = Category.objects.select_related("parent__parent").filter(pk=result.vote.category_id).first()
    kept_as = _keep(data) if keep else None
    return PhotoSearchOutcome(products=products, category=category, confidence=result.vote.confidence, kept_as=kept_as)


def products_in_order(*, ids: list[int]) -> list[Product]:
    """The products with these ids, in this order, with what a card needs (a fixed 3 queries)."""
    rows = {p.pk: p for p in Product.objects.filter(pk__in=ids).for_listing()}
    return [rows[pk] for pk in ids if pk in rows]


def _keep(data: bytes) -> str:
    extension = {"jpeg": "jpg"}.get(sniff_format(data[:16]) or "", sniff_format(data[:16]) or "bin")
    return default_storage.save(f"{KEPT_FOLDER}/{uuid.uuid4().hex}.{extension}", ContentFile(data))
