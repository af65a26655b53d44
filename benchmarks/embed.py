"""bench embed: end-to-end embedding throughput, the pipeline against a naive loop, on the same images.

Pipeline: the real service (`image_embeddings_compute`): read through storage, sha256 check, safe
load with JPEG draft decoding, batched encoder (the configured fast path), compare-and-set
batch writes and product roll-up in PostgreSQL.
Naive (the seeds' style): one image at a time: open, convert, fp32 eager PyTorch, one INSERT each.

Everything is written inside one transaction that is rolled back: the catalogue is untouched.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.test import override_settings
from PIL import Image

from recommender.embeddings import service
from recommender.vectors import store
from recommender.vectors.codec import vector_literal
from recommender.embeddings.encoders import get_encoder, min_cosine
from recommender.models import ImageEmbedding
from shop.catalog.models import Category, Product, ProductImage


class _Rollback(Exception):
    pass


def run(*, images_dir: Path, limit: int, encoder_name: str, log) -> dict:
    files = sorted(p for p in images_dir.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp"})[:limit]
    if not files:
        raise ValueError(f"no images in {images_dir}")
    # The naive loop runs first, before the fast path's runtime exists in this process: OpenVINO's
    # thread pool would otherwise keep spinning beside it and make the naive figure look worse than
    # it is. Each encoder is built and warmed before its clock starts (loading is not throughput).
    naive = get_encoder(encoder_name, precision="fp32", backend="torch", batch_size=1)
    naive.embed([Image.new("RGB", (224, 224), "white")])
    result: dict = {}
    try:
        with transaction.atomic(), override_settings(MEDIA_ROOT=str(images_dir.parent)):
            image_ids = _scratch_catalogue(files, images_dir=images_dir)
            log(f"naive: {len(files)} images, one at a time, fp32 eager PyTorch, one write each")
            started = time.perf_counter()
            naive_vectors = _naive(files, naive)
            naive_seconds = time.perf_counter() - started
            fast = get_encoder(encoder_name)
            fast.embed([Image.new("RGB", (224, 224), "white")] * 2)
            log(f"pipeline: {len(files)} images with {fast!r}")
            started = time.perf_counter()
            report = service.image_embeddings_compute(image_ids=image_ids, encoder_name=encoder_name)
            pipeline_seconds = time.perf_counter() - started
            stored = dict(
                ImageEmbedding.objects.filter(image_id__in=image_ids, encoder=encoder_name, status="ready")
                .values_list("image_id", "vector")
            )
            pipeline_vectors = np.stack([np.asarray(stored[i], dtype=np.float32) for i in image_ids if i in stored])
            naive_ready = np.stack([v for i, v in zip(image_ids, naive_vectors) if i in stored])
            result = {
                "images": len(files),
                "pipeline_img_per_s": round(len(files) / pipeline_seconds, 1),
                "naive_img_per_s": round(len(files) / naive_seconds, 1),
                "speedup": round(naive_seconds / pipeline_seconds, 2),
                "min_cosine_vs_fp32": round(min_cosine(pipeline_vectors, naive_ready), 5),
                "ready": report.ready,
                "failed": report.failed,
                "encoder": repr(fast),
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def _scratch_catalogue(files: list[Path], *, images_dir: Path) -> list[int]:
    category = Category.objects.create(name="bench-scratch", slug="bench-scratch-embed")
    products = Product.objects.bulk_create(
        [Product(name=f"bench {f.stem}", slug=f"bench-embed-{i}", category=category, price=1) for i, f in enumerate(files)]
    )
    images = ProductImage.objects.bulk_create(
        [
            ProductImage(product=p, image=f"{images_dir.name}/{f.name}", sha256=hashlib.sha256(f.read_bytes()).hexdigest())
            for p, f in zip(products, files)
        ]
    )
    return [image.pk for image in images]


def _naive(files: list[Path], encoder) -> list[np.ndarray]:
    vectors = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_naive_vectors (id int, vector vector) ON COMMIT DROP")
        for index, path in enumerate(files):
            image = Image.open(path).convert("RGB")
            vector = encoder.embed([image])[0]
            cursor.execute(
                "INSERT INTO bench_naive_vectors VALUES (%s, %s::vector)", [index, vector_literal(vector)]
            )
            vectors.append(vector)
    return vectors
