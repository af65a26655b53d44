"""Compute product text vectors and keep them in step with the catalogue.

``text_embeddings_compute(product_ids=...)`` builds each product's text (text.product_text), skips
products whose stored vector was made from the same text (sha256) by the same model, encodes the
rest in batches and upserts them. Idempotent. Inactive products keep their vectors (the search
filters them out), and deleted products lose theirs by cascade.

``text_embeddings_reconcile(enqueue=...)`` finds products with no vector or a stale one and hands
their ids to ``enqueue`` in batches: the database, not the queue, says what is missing, so saves
made while Redis was down are caught up by the beat task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from recommender.conf import recommender_setting
from recommender.models import TextEmbedding
from recommender.vectors.text import text_vectors_save
from recommender.embeddings.text import get_text_encoder, product_text, text_sha256
from shop.catalog.models import Product

logger = logging.getLogger(__name__)


@dataclass
class TextReport:
    embedded: int = 0
    skipped: int = 0


def _products(product_ids: Sequence[int]) -> list[Product]:
    return list(
        Product.objects.filter(pk__in=list(product_ids)).select_related("category__parent__parent").order_by("pk")
    )


def text_embeddings_compute(*, product_ids: Sequence[int], model: str | None = None) -> TextReport:
    model = model or recommender_setting("TEXT_MODEL")
    report = TextReport()
    products = _products(product_ids)
    current = dict(
        TextEmbedding.objects.filter(product_id__in=[p.pk for p in products], model=model)
        .values_list("product_id", "text_sha256")
    )
    todo = []
    for product in products:
        text = product_text(product)
        digest = text_sha256(text)
        if current.get(product.pk) == digest:
            report.skipped += 1
        else:
            todo.append((product.pk, digest, text))
    if not todo:
        return report
    encoder = get_text_encoder(model)
    batch = int(recommender_setting("TEXT_EMBED_BATCH"))
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        vectors = encoder.embed([text for _, _, text in chunk], batch_size=batch)
        text_vectors_save(model=model, rows=[(pk, digest, vector) for (pk, digest, _), vector in zip(chunk, vectors)])
        report.embedded += len(chunk)
    return report


def products_needing_text_embeddings(*, model: str | None = None, include_current: bool = False) -> list[int]:
    """Ids of products with no text vector, or one made from other text, under ``model``.

    Staleness needs the text, which is computed in Python: products are read in slices of ids,
    only the columns the text uses, so a sweep of 100k products stays a few seconds.
    """
    model = model or recommender_setting("TEXT_MODEL")
    stored = dict(TextEmbedding.objects.filter(model=model).values_list("product_id", "text_sha256"))
    queryset = Product.objects.select_related("category__parent__parent").order_by("pk")
    if include_current:
        return list(queryset.values_list("pk", flat=True))
    needing = []
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last)[:2000])
        if not rows:
            return needing
        for product in rows:
            if stored.get(product.pk) != text_sha256(product_text(product)):
                needing.append(product.pk)
        last = rows[-1].pk


def text_embeddings_reconcile(
    *, enqueue: Callable[[list[int]], object], model: str | None = None, include_current: bool = False
) -> int:
    """Hand every product lacking a current text vector to ``enqueue``, in task-sized batches."""
    ids = products_needing_text_embeddings(model=model, include_current=include_current)
    batch = int(recommender_setting("TEXT_EMBED_BATCH"))
    for start in range(0, len(ids), batch):
        enqueue(ids[start : start + batch])
    return len(ids)
