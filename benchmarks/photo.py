"""bench photo: photo search end to end on real product photos, and how often it names the right category.

Setup (not timed): a scratch catalogue of the fashion-5k rows (first ``limit``; a leaf category per
articleType; images pointing at the data set's files) embedded by the real pipeline, inside one
transaction that is rolled back (the shop is untouched; other products' vectors are hidden for the
run, so only the bench catalogue answers).
Queries (timed, one at a time, model warm): ``queries`` photos of catalogue products, flipped or
cropped (alternately) and re-encoded as JPEG, so no query is byte-identical to a stored photo. Each
is the real ``photo_search``: safe decode + encode + filtered-nearest SQL + category vote SQL.

Out: queries, p50/p95 in ms, top-1/top-3 hit rates of the source product, and
``predicted_category_accuracy``: the vote equals the product's category (the articleType), read
leave-one-out from the stored vectors (the product's own vector does not vote for itself);
``predicted_category_accuracy_shopper`` is what a shopper sees (the flipped/cropped query, whose
nearest neighbour is usually the product itself). With `COMPACT_DIMS` set, ``compact`` holds the same
figures for the same queries on the compact vectors fitted on the bench catalogue (what the shop serves).
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from pathlib import Path

import numpy as np
from django.db import transaction
from django.test import override_settings
from PIL import Image, ImageOps

from recommender.embeddings import service
from recommender.vectors.compact import compact_name
from recommender.vectors.compact_store import compact_dims, compact_fit
from recommender.embeddings.encoders import get_encoder
from recommender.models import ProductEmbedding
from recommender.search.photo import category_vote, photo_search, photo_vector
from recommender.vectors.nearest import nearest_products
from shop.catalog.models import Category, Product, ProductImage


class _Rollback(Exception):
    pass


def run(*, data_dir: Path, limit: int, queries: int, encoder_name: str, log) -> dict:
    get_encoder(encoder_name).embed([Image.new("RGB", (224, 224), "white")])  # build before the clock
    result: dict = {}
    try:
        # MEDIA_ROOT = the data set itself: the scratch images point at its files, nothing is copied.
        with override_settings(MEDIA_ROOT=str(data_dir)), transaction.atomic():
            ProductEmbedding.objects.all().delete()  # only the bench catalogue answers; rolled back
            ids = _scratch_catalogue(data_dir=data_dir, limit=limit)
            log(f"embedding {len(ids)} products with {encoder_name}")
            image_ids = list(ProductImage.objects.filter(product_id__in=ids).values_list("pk", flat=True))
            report = service.image_embeddings_compute(image_ids=image_ids, encoder_name=encoder_name)
            log(f"embedded: {report.ready} ready, {report.failed} failed")
            result = _measure(data_dir=data_dir, ids=ids, queries=queries, encoder=encoder_name, log=log)
            if compact_dims():
                # The same searches on the compact vectors the shop serves, fitted on this catalogue, side by side.
                row = compact_fit(source=encoder_name)
                log(f"compact vectors fitted on {row.products} products; the same searches on them")
                result["compact"] = _measure(data_dir=data_dir, ids=ids, queries=queries,
                                             encoder=compact_name(encoder_name, row.output_dim), log=log)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _scratch_catalogue(*, data_dir: Path, limit: int) -> list[int]:
    """One product per styles.csv row with its photo, in a leaf category per articleType."""
    with (data_dir / "styles.csv").open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = [
            row for _, row in zip(range(limit), csv.DictReader(handle))
            if (data_dir / "images" / f"{row['id']}.jpg").is_file()
        ]
    root = Category.objects.create(name="bench-photo", slug="bench-photo-scratch")
    leaves = {
        name: Category.objects.create(name=name, parent=root, slug=f"bench-photo-{index}")
        for index, name in enumerate(sorted({row["articleType"] for row in rows}))
    }
    products = Product.objects.bulk_create([
        Product(name=row["productDisplayName"][:200] or row["id"], slug=f"bench-photo-{row['id']}",
                category=leaves[row["articleType"]], price=1, description=row["id"])
        for row in rows
    ])
    ProductImage.objects.bulk_create([
        ProductImage(product=product, image=f"images/{row['id']}.jpg",
                     sha256=hashlib.sha256((data_dir / "images" / f"{row['id']}.jpg").read_bytes()).hexdigest())
        for product, row in zip(products, rows)
    ])
    return [product.pk for product in products]


def _query_bytes(path: Path, index: int) -> bytes:
    image = Image.open(path).convert("RGB")
    if index % 2:
        width, height = image.size
        image = image.crop((int(width * 0.1), int(height * 0.1), int(width * 0.9), int(height * 0.9)))
    else:
        image = ImageOps.mirror(image)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _measure(*, data_dir: Path, ids: list[int], queries: int, encoder: str, log) -> dict:
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids)}
    sample = ids[:: max(1, len(ids) // queries)][:queries]
    payloads = [
        _query_bytes(data_dir / "images" / f"{products[pk].description}.jpg", index) for index, pk in enumerate(sample)
    ]
    photo_search(source=payloads[0], encoder=encoder)  # warm the SQL path and caches
    log(f"{len(sample)} photo searches, one at a time")
    timings, top1, top3, shopper_correct = [], 0, 0, 0
    for pk, payload in zip(sample, payloads):
        started = time.perf_counter()
        result = photo_search(source=payload, encoder=encoder)
        timings.append((time.perf_counter() - started) * 1000)
        hits = [pid for pid, _ in result.products]
        top1 += hits[:1] == [pk]
        top3 += pk in hits[:3]
        shopper_correct += result.vote.category_id == products[pk].category_id
    # The in-process encoding share alone (decode + encode), the figure behind "web, not a worker".
    encode_ms = []
    for payload in payloads:
        started = time.perf_counter()
        photo_vector(payload, encoder=encoder)
        encode_ms.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(sample),
        "decode_encode_p50_ms": round(float(np.percentile(encode_ms, 50)), 1),
        "p50_ms": round(float(np.percentile(timings, 50)), 1),
        "p95_ms": round(float(np.percentile(timings, 95)), 1),
        "top1": round(top1 / len(sample), 3),
        "top3": round(top3 / len(sample), 3),
        "predicted_category_accuracy_shopper": round(shopper_correct / len(sample), 3),
        "catalogue": len(ids),
        "predicted_category_accuracy": _leave_one_out_accuracy(products=products, encoder=encoder),
    }


def _leave_one_out_accuracy(*, products: dict, encoder: str) -> float:
    vectors = dict(
        ProductEmbedding.objects.filter(encoder=encoder, product_id__in=list(products)).values_list("product_id", "vector")
    )
    correct = 0
    for pk, vector in vectors.items():
        hits = nearest_products(vector=np.asarray(vector), encoder=encoder, k=10, exclude=pk)
        vote = category_vote([(products[pid].category_id, 1 - d) for pid, d in hits if pid in products])
        correct += vote.category_id == products[pk].category_id
    return round(correct / max(1, len(vectors)), 3)
