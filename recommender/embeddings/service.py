"""Compute image embeddings and keep them in step with the catalogue.

`image_embeddings_compute` takes image ids, claims a row per (image, encoder), loads each file
through the one safe loader, encodes the usable ones in batches and writes them with a
compare-and-set on the image's sha256. It is idempotent: an image whose vector is ready for its
current bytes is skipped. `embeddings_reconcile` finds what is missing or stale and hands it to
an enqueue callable in batches.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.embeddings import prefetch
from recommender.embeddings.encoders import get_encoder
from recommender.embeddings.loading import ImageRejected, load_image
from recommender.models import EmbeddingStatus, ImageEmbedding
from recommender.vectors import bulk, compact_store, store
from shop.catalog.models import ProductImage

logger = logging.getLogger(__name__)


@dataclass
class ComputeReport:
    ready: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)  # (image id, reason)


def image_embeddings_compute(*, image_ids: Sequence[int], encoder_name: str | None = None) -> ComputeReport:
    encoder_name = encoder_name or recommender_setting("ENCODER")
    report = ComputeReport()
    claimed = _claim(image_ids=image_ids, encoder_name=encoder_name, report=report)
    if not claimed:
        return report
    encoder = get_encoder(encoder_name)
    batch_size = int(recommender_setting("EMBED_BATCH_SIZE"))
    batches = [claimed[start : start + batch_size] for start in range(0, len(claimed), batch_size)]
    # Files read, checked and decoded, and pixels resized, on a thread one batch ahead: the model never waits.
    for batch, loaded, failures, pixels in prefetch.ahead(batches, lambda batch: _prepare(batch, encoder)):
        vectors = _embed(encoder, loaded, pixels)
        # Image vectors and the product vectors built from them commit together: a worker killed in
        # between must not leave images "ready" whose product has no vector.
        with transaction.atomic():
            written = store.image_vectors_save(
                encoder=encoder_name,
                rows=[(embedding.pk, sha, vector) for (embedding, sha, _), vector in zip(loaded, vectors)],
            )
            store.image_embeddings_fail(failures=[(embedding.pk, reason) for embedding, reason in failures])
            store.product_vectors_refresh(
                product_ids=sorted({embedding.image.product_id for embedding in batch}), encoder=encoder_name,
                with_compact=False,
            )
        report.ready += written
        report.skipped += len(loaded) - written
        report.failed += len(failures)
        report.failures += [(embedding.image_id, reason) for embedding, reason in failures]
    # Compact rows once per task, in one COPY: per batch of 16 they cost a third of the throughput (bench embed,
    # 173 -> 108-118 img/s). A worker killed before this line leaves them to the beat (compact_ensure).
    with transaction.atomic():
        compact_store.compact_refresh(product_ids=sorted({e.image.product_id for e in claimed}), source=encoder_name)
    bulk.vector_index_ensure(encoder=encoder_name)
    return report


def _claim(*, image_ids: Sequence[int], encoder_name: str, report: ComputeReport) -> list[ImageEmbedding]:
    """Rows to work on: one per image, attempts counted; ready-and-current ones skipped; exhausted ones failed."""
    images = {image.pk: image for image in ProductImage.objects.filter(pk__in=image_ids)}
    max_attempts = int(recommender_setting("EMBED_MAX_ATTEMPTS"))
    with transaction.atomic():
        ImageEmbedding.objects.bulk_create(
            [ImageEmbedding(image_id=pk, encoder=encoder_name) for pk in images],
            ignore_conflicts=True,
        )
        rows = list(
            ImageEmbedding.objects.select_for_update()
            .filter(image_id__in=list(images), encoder=encoder_name)
            .order_by("pk")
        )
        claimed, exhausted = [], []
        for row in rows:
            image = images[row.image_id]
            if row.status == EmbeddingStatus.READY and row.sha256 == image.sha256:
                report.skipped += 1
                continue
            if row.status == EmbeddingStatus.FAILED and row.sha256 == image.sha256:
                report.skipped += 1  # failed for these very bytes: trying again would fail again
                continue
            if row.sha256 != image.sha256:
                row.attempts = 0  # new bytes, new chances
            if row.attempts >= max_attempts:
                exhausted.append(row)
                continue
            row.attempts += 1
            row.sha256 = image.sha256
            row.status = EmbeddingStatus.PENDING
            row.updated_at = timezone.now()
            row.image = image
            claimed.append(row)
        _claim_write(claimed)
        for row in exhausted:
            reason = f"gave up after {row.attempts} attempts (the worker died or timed out on this image)"
            ImageEmbedding.objects.filter(pk=row.pk).update(
                status=EmbeddingStatus.FAILED, error=reason, sha256=images[row.image_id].sha256,
                updated_at=timezone.now(),
            )
            report.failed += 1
            report.failures.append((row.image_id, reason))
    return claimed


def _claim_write(claimed: list[ImageEmbedding]) -> None:
    """Store the claimed rows' new attempts, sha256 and status in one UPDATE.

    bulk_update() builds a CASE per column and row; on a few hundred rows that cost more than
    the model's forward pass, so the rows go in as one VALUES list instead.
    """
    if not claimed:
        return
    values = ", ".join(["(%s, %s, %s)"] * len(claimed))
    params: list = []
    for row in claimed:
        params += [row.pk, row.attempts, row.sha256]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE recommender_imageembedding AS e
               SET attempts = v.attempts, sha256 = v.sha256, status = %s, updated_at = now()
              FROM (VALUES {values}) AS v(id, attempts, sha256)
             WHERE e.id = v.id
            """,
            [EmbeddingStatus.PENDING, *params],
        )


def _prepare(batch: list[ImageEmbedding], encoder):
    """Off the main thread (no database): (batch, loaded, failures, model input or None)."""
    loaded, failures = _load(batch)
    images = [image for _, _, image in loaded]
    pixels = encoder.preprocess(images) if images and hasattr(encoder, "preprocess") else None
    return batch, loaded, failures, pixels


def _embed(encoder, loaded, pixels):
    if not loaded:
        return []
    if pixels is not None:
        return encoder.embed_pixels(pixels)
    return encoder.embed([image for _, _, image in loaded])  # an encoder without a separate preprocess step


def _load(batch: list[ImageEmbedding]):
    """Read and decode each file through the safe loader. Returns (loaded, failures)."""
    loaded, failures = [], []
    for embedding in batch:
        image = embedding.image
        try:
            with image.image.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError, ValueError) as error:
            failures.append((embedding, f"image file unreadable: {error}"))
            continue
        sha = hashlib.sha256(data).hexdigest()
        if image.sha256 and sha != image.sha256:
            failures.append((embedding, "image file does not match its recorded sha256 (changed outside the shop)"))
            continue
        try:
            # Every encoder resizes to about 256 px: let big JPEGs decode at a fraction of full size.
            loaded.append((embedding, sha, load_image(data, draft_size=(256, 256))))
        except ImageRejected as error:
            failures.append((embedding, error.reason))
    return loaded, failures


def images_needing_embeddings(*, encoder_name: str, limit: int, include_queued: bool = False) -> list[int]:
    """Image ids with no vector for their current bytes under `encoder_name`, oldest first.

    A pending row touched within the grace period is taken to be queued already, unless
    `include_queued` (the `embed --missing` command wants everything).
    """
    settled = Q(status__in=[EmbeddingStatus.READY, EmbeddingStatus.FAILED], sha256=F("image__sha256"))
    if not include_queued:
        grace = timezone.now() - timedelta(seconds=int(recommender_setting("RECONCILE_GRACE_SECONDS")))
        settled |= Q(status=EmbeddingStatus.PENDING, sha256=F("image__sha256"), updated_at__gte=grace)
    done = ImageEmbedding.objects.filter(settled, encoder=encoder_name).values("image_id")
    return list(ProductImage.objects.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True)[:limit])


def embeddings_mark_queued(*, image_ids: Sequence[int], encoder_name: str) -> None:
    """Record that these images are queued (pending, touched now), so a sweep within the grace period skips them."""
    shas = dict(ProductImage.objects.filter(pk__in=image_ids).values_list("pk", "sha256"))
    ImageEmbedding.objects.bulk_create(
        [ImageEmbedding(image_id=pk, encoder=encoder_name, sha256=sha) for pk, sha in shas.items()],
        ignore_conflicts=True,
    )
    ImageEmbedding.objects.filter(image_id__in=list(shas), encoder=encoder_name).exclude(
        status=EmbeddingStatus.READY, sha256=F("image__sha256")
    ).update(status=EmbeddingStatus.PENDING, updated_at=timezone.now())


def embeddings_reconcile(
    *, enqueue: Callable[[list[int]], None], encoder_name: str | None = None, include_queued: bool = False,
    limit: int | None = None,
) -> int:
    """Queue every image that lacks a current vector, in task-sized batches. Returns how many were queued.

    This is what recovers work lost while Redis was down or a worker died: the database, not the
    queue, says what is missing.
    """
    encoder_name = encoder_name or recommender_setting("ENCODER")
    ids = images_needing_embeddings(
        encoder_name=encoder_name, limit=limit or int(recommender_setting("RECONCILE_BATCH")),
        include_queued=include_queued,
    )
    batch_size = int(recommender_setting("EMBED_BATCH_SIZE"))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        enqueue(batch)
        embeddings_mark_queued(image_ids=batch, encoder_name=encoder_name)
    return len(ids)
