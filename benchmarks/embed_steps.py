"""What bounds the embedding worker, step by step, side by side in one process on the same photos.

`python manage.py shell -c "from benchmarks.embed_steps import run; print(run(limit=400))"`

In: a folder of photos (default: the shared fashion-5k images), how many, rounds. Out: a dict of img/s for
* the parts alone: `decode` (read, sha256, safe load, resize to the model's input), `model` (the forward pass on
  ready pixels), `write_text` / `write_binary` (the image-vector UPDATE with text literals / binary halfvec);
* the real service (`image_embeddings_compute`) end to end in three builds: `e2e_text_sequential` (vectors as
  text, decode then model in turn: the former worker), `e2e_binary_sequential` (binary halfvec writes), and
  `e2e_binary_prefetch` (binary writes and decode on a thread beside the model: the worker as it is);
plus the worst cosine of the stored vectors against fp32 PyTorch on the same images.

Every variant runs once per round, rounds interleaved, and the best round counts: on a machine shared with
other work the ratios between variants measured together mean more than any one figure. Everything is
written inside one transaction that is rolled back.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.test import override_settings

from benchmarks.embed import _Rollback, _scratch_catalogue
from recommender.embeddings import prefetch, service
from recommender.embeddings.encoders import get_encoder, min_cosine
from recommender.models import EmbeddingStatus, ImageEmbedding, ProductEmbedding
from recommender.vectors import codec, store
from shop.catalog.models import ProductImage

DEFAULT_IMAGES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fashion-5k" / "images"


def _text_save(*, encoder: str, rows) -> int:
    """The image-vector write with 1280 text literals per row, as the worker sent them before binary halfvec."""
    values = ", ".join(["(%s, %s, %s::vector)"] * len(rows))
    params: list = []
    for embedding_id, sha256, vector in rows:
        params += [embedding_id, sha256, codec.vector_literal(vector)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE recommender_imageembedding AS e
               SET vector = v.vector, sha256 = v.sha256, status = %s, error = '', updated_at = now()
              FROM (VALUES {values}) AS v(id, sha256, vector), catalog_productimage AS i
             WHERE e.id = v.id AND i.id = e.image_id AND i.sha256 = v.sha256 AND e.encoder = %s
            """,
            [EmbeddingStatus.READY, *params, encoder],
        )
        return cursor.rowcount


def _sequential(items, work, *, depth: int = 2):
    return map(work, items)


@contextmanager
def _build(*, binary: bool, prefetched: bool):
    saved = store.image_vectors_save, prefetch.ahead
    if not binary:
        store.image_vectors_save = _text_save
    if not prefetched:
        prefetch.ahead = _sequential
    try:
        yield
    finally:
        store.image_vectors_save, prefetch.ahead = saved


def run(*, images_dir: Path = DEFAULT_IMAGES, limit: int = 400, rounds: int = 3, encoder_name: str = "lite0") -> dict:
    files = sorted(p for p in images_dir.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp"})[:limit]
    encoder = get_encoder(encoder_name)
    reference = get_encoder(encoder_name, precision="fp32", backend="torch")
    best: dict[str, float] = {}
    result: dict = {}

    def clock(name: str, count: int, call):
        started = time.perf_counter()
        out = call()
        best[name] = max(best.get(name, 0.0), count / (time.perf_counter() - started))
        return out

    try:
        with transaction.atomic(), override_settings(MEDIA_ROOT=str(images_dir.parent)):
            image_ids = _scratch_catalogue(files, images_dir=images_dir)
            ImageEmbedding.objects.bulk_create([ImageEmbedding(image_id=pk, encoder=encoder_name) for pk in image_ids])
            claimed = list(ImageEmbedding.objects.filter(image_id__in=image_ids).select_related("image"))
            size = int(service.recommender_setting("EMBED_BATCH_SIZE"))
            batches = [claimed[i : i + size] for i in range(0, len(claimed), size)]
            encoder.embed_pixels(encoder.preprocess([service._load(batches[0])[0][0][2]]))  # warm
            for _ in range(rounds):
                prepared = clock("decode", len(files), lambda: [service._prepare(b, encoder) for b in batches])
                vectors = clock("model", len(files), lambda: [encoder.embed_pixels(p[3]) for p in prepared])
                rows = [[(e.pk, sha, v) for (e, sha, _), v in zip(p[1], vs)] for p, vs in zip(prepared, vectors)]
                for name, save in (("write_text", _text_save), ("write_binary", store.image_vectors_save)):
                    with transaction.atomic():
                        clock(name, len(files), lambda: [save(encoder=encoder_name, rows=r) for r in rows])
                for name, binary, prefetched in (("e2e_text_sequential", False, False),
                                                 ("e2e_binary_sequential", True, False),
                                                 ("e2e_binary_prefetch", True, True)):
                    ImageEmbedding.objects.filter(image_id__in=image_ids).update(status=EmbeddingStatus.PENDING,
                                                                                 sha256="")
                    ProductEmbedding.objects.filter(product_id__in=ProductImage.objects.filter(pk__in=image_ids)
                                                    .values("product_id")).delete()
                    with _build(binary=binary, prefetched=prefetched):
                        clock(name, len(files),
                              lambda: service.image_embeddings_compute(image_ids=image_ids, encoder_name=encoder_name))
            stored = dict(ImageEmbedding.objects.filter(image_id__in=image_ids, status="ready")
                          .values_list("image_id", "vector"))
            order = [i for i in image_ids if i in stored]
            fp32 = reference.embed([image for p in prepared for _, _, image in p[1]])
            by_id = dict(zip([e.image_id for p in prepared for e, _, _ in p[1]], fp32))
            result = {
                "images": len(files), "rounds": rounds, "encoder": repr(encoder),
                **{f"{name}_img_per_s": round(rate, 1) for name, rate in best.items()},
                "min_cosine_vs_fp32": round(min_cosine(np.stack([np.asarray(stored[i], np.float32) for i in order]),
                                                       np.stack([by_id[i] for i in order])), 5),
            }
            raise _Rollback
    except _Rollback:
        pass
    return result
