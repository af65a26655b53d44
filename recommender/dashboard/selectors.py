"""What the health page reads: coverage counts, the serving vectors, the task queue, the last rebuild and evaluation.

Every function is a fixed number of queries (counts grouped by status, the latest row of a kind), so the page costs
the same with 600 products or 100,000. The Celery workers are the one slow question (a broadcast ping waits its whole
timeout for replies): `workers_cached()` answers from the cache only, and `workers_refresh()`, which pings, runs from
the JSON status the page polls, never while the page itself renders. `health_snapshot()` keeps the counts and latest
rows for SNAPSHOT_SECONDS, so reloading the page reads none of them again; the buttons drop it. The cache fails
open: with Redis down every load reads the database, the page says "checking" and the poll asks the workers itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count

from recommender import cache
from recommender.conf import recommender_setting
from recommender.impressions.panel import OnlinePanel, online_panel
from recommender.models import (
    EmbeddingStatus,
    EvaluationKind,
    EvaluationRun,
    ImageEmbedding,
    ProductEmbedding,
    SignalRebuild,
    VisualProjection,
)
from recommender.search.coverage import text_vector_coverage
from recommender.vectors.compact import compact_parts
from recommender.vectors.store import encoder_for_serving
from shop.catalog.models import ProductImage
from shop.celery import app

logger = logging.getLogger(__name__)
QUEUE = "celery"
SNAPSHOT_SECONDS = 10  # shorter than anyone takes to act on the page; the buttons drop it at once
WORKERS_SECONDS = 30  # a worker that stopped shows as stopped within this long
PING_SECONDS = 1.0
REASONS_SHOWN = 5


@dataclass
class PhotoCoverage:
    """One encoder's image embeddings: counts by state; `missing` = photos with no row yet (not queued)."""

    encoder: str
    photos: int
    ready: int = 0
    pending: int = 0
    failed: int = 0
    reasons: list[dict] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.photos - self.ready - self.pending - self.failed, 0)

    @property
    def percent(self) -> float:
        return round(100 * self.ready / self.photos, 1) if self.photos else 0.0


@dataclass(frozen=True)
class TextCoverage:
    model: str
    products: int  # on sale
    searchable: int  # of those, with a text vector of `model`


def photo_coverage() -> list[PhotoCoverage]:
    """Per encoder with any row, the configured one always first (it is what new photos get): three queries."""
    photos = ProductImage.objects.count()
    configured = recommender_setting("ENCODER")
    found = {configured: PhotoCoverage(encoder=configured, photos=photos)}
    for encoder, status, n in (ImageEmbedding.objects.values_list("encoder", "status").annotate(n=Count("id"))
                               .order_by("encoder", "status")):
        row = found.setdefault(encoder, PhotoCoverage(encoder=encoder, photos=photos))
        if status in (EmbeddingStatus.READY, EmbeddingStatus.PENDING, EmbeddingStatus.FAILED):
            setattr(row, status, getattr(row, status) + n)
    for encoder, error, n in (ImageEmbedding.objects.filter(status=EmbeddingStatus.FAILED)
                              .values_list("encoder", "error").annotate(n=Count("id")).order_by("-n", "error")):
        reasons = found[encoder].reasons
        if len(reasons) < REASONS_SHOWN:
            reasons.append({"reason": error or "(no reason recorded)", "count": n})
    return list(found.values())


def text_coverage() -> TextCoverage:
    """Products on sale, and those of them with a text vector of the configured model: the same count the
    storefront's search reads to decide whether meaning is blended in (recommender.search.coverage)."""
    model = recommender_setting("TEXT_MODEL")
    found = text_vector_coverage(model=model, fresh=True)
    return TextCoverage(model=model, products=found.products, searchable=found.embedded)


def serving_vectors() -> dict:
    """What answers "looks like" now: the serving encoder, its product vectors and, for compact vectors, their fit."""
    encoder = encoder_for_serving()
    found = {"encoder": encoder, "products": ProductEmbedding.objects.filter(encoder=encoder).count(), "fit": None}
    parts = compact_parts(encoder or "")
    if parts:
        # Not the matrix itself (a megabyte of floats): only what the page says about the fit.
        row = (VisualProjection.objects.filter(encoder=parts[0], method="pca", output_dim=parts[1])
               .only("encoder", "output_dim", "input_dim", "products", "created_at", "held_out").first())
        if row is not None:
            found["fit"] = {"source": row.encoder, "dims": row.output_dim, "input_dim": row.input_dim,
                            "products": row.products, "at": row.created_at,
                            "variance": round(100 * float(row.held_out.get("explained_variance", 0)), 1),
                            "depth": _depth_of(row.held_out.get("hnsw"))}
    return found


def _depth_of(hnsw: dict | None) -> dict | None:
    """The search depth the refit measured for this index, and the recall it measured there."""
    if not hnsw or not hnsw.get("ef_search"):
        return None
    depth = int(hnsw["ef_search"])
    return {"ef_search": depth, "recall": hnsw.get("recall_at_10", {}).get(str(depth)), "queries": hnsw.get("queries"),
            "target": hnsw.get("target_recall"), "reached": bool(hnsw.get("reached"))}


_broker_clients: dict[str, object] = {}


@dataclass
class Snapshot:
    """What the page shows that only changes when work is done: read together, kept together."""

    photos: list[PhotoCoverage]
    text: TextCoverage
    serving: dict
    rebuild: SignalRebuild | None
    ranking: EvaluationRun | None
    visual: EvaluationRun | None
    online: OnlinePanel  # rebuilt by the beat every 15 minutes: ten seconds old is fresh


def health_snapshot() -> Snapshot:
    """The cached snapshot while it is fresh, else read afresh (ten queries) and cached."""
    found = cache.get(cache.HEALTH_SNAPSHOT)  # the cache down reads as a miss: the database answers
    if isinstance(found, Snapshot):
        return found
    finished = latest_finished_evaluations()
    found = Snapshot(photos=photo_coverage(), text=text_coverage(), serving=serving_vectors(),
                     rebuild=latest_rebuild(), ranking=finished.get(EvaluationKind.RANKING),
                     visual=finished.get(EvaluationKind.VISUAL), online=online_panel())
    cache.set(cache.HEALTH_SNAPSHOT, found, SNAPSHOT_SECONDS)
    return found


def health_snapshot_forget() -> None:
    cache.delete(cache.HEALTH_SNAPSHOT)


def queue_length() -> int | None:
    """LLEN of the default Celery queue on the Redis broker; None when unreachable.

    One client (and its connection pool) per broker URL for the process: a new connection per page load costs more
    than the LLEN itself. redis-py pools are thread-safe and start afresh in a forked child.
    """
    try:
        import redis

        url = settings.CELERY_BROKER_URL
        client = _broker_clients.get(url)
        if client is None:
            client = _broker_clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return int(client.llen(QUEUE))
    except Exception as error:  # any connection or protocol error: show "unreachable"
        logger.info("queue length unavailable: %s", error)
        return None


@dataclass(frozen=True)
class Workers:
    """`names` of the workers that answered; None = the broker could not be reached. `checked_at` = when."""

    names: list[str] | None
    checked_at: datetime


def workers_cached() -> Workers | None:
    """The last ping's answer while it is fresh; None when there is none (or the cache is down)."""
    found = cache.get(cache.HEALTH_WORKERS)  # None with the cache down: unknown until the status poll pings them
    return found if isinstance(found, Workers) else None


def workers_refresh() -> Workers:
    """Ping the workers (waits up to PING_SECONDS for replies) and keep the answer WORKERS_SECONDS."""
    from django.utils import timezone

    try:
        replies = app.control.inspect(timeout=PING_SECONDS).ping() or {}
        found = Workers(names=sorted(replies), checked_at=timezone.now())
    except Exception as error:
        logger.info("workers unreachable: %s", error)
        found = Workers(names=None, checked_at=timezone.now())
    cache.set(cache.HEALTH_WORKERS, found, WORKERS_SECONDS)
    return found


def latest_rebuild() -> SignalRebuild | None:
    return SignalRebuild.objects.first()


def latest_finished_evaluations() -> dict[str, EvaluationRun]:
    """{kind: its newest run that finished without an error}, in one query (PostgreSQL's DISTINCT ON)."""
    return {run.kind: run for run in EvaluationRun.objects.filter(finished_at__isnull=False, error="")
            .order_by("kind", "-started_at", "-id").distinct("kind")}


def current_evaluation() -> EvaluationRun | None:
    """The newest run, finished or not: the one whose progress the page shows."""
    return EvaluationRun.objects.only("id", "kind", "step", "progress", "finished_at", "error").first()


def evaluation_live(run: EvaluationRun | None) -> dict | None:
    """A run's step and progress, the live figures from the cache while it runs (its row is written at the end)."""
    if run is None:
        return None
    live = cache.get(cache.evaluation_progress_key(run.pk)) or {}
    return {"id": run.pk, "kind": run.kind, "step": live.get("step", run.step), "finished": run.finished_at is not None,
            "progress": live.get("progress", run.progress), "error": run.error}
