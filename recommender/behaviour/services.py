"""signals_rebuild: interactions in, a new generation of neighbours and popularity out, flipped atomically.

Queries, whatever the data size: an advisory lock; the live generation; one COPY ... TO STDOUT
streaming every interaction (parsed in chunks by numpy); one for product categories; one COPY
FROM STDIN per table; the one-row UPDATE that flips readers to the new generation; a DELETE of old
generations; the SignalRebuild log row. Readers never see a half-written set: they filter on
SignalGeneration.current (see recommender.models.behaviour).

Only full rebuilds: 1M events take well under a minute on two cores (python manage.py bench
signals). `incremental=True` skips the rebuild when no interaction arrived since the last one
(neither set nor count changed): decay alone scales every score alike and rankings stay put.
Times are unix seconds; half-lives and gaps come from recommender.conf.
"""

from __future__ import annotations

import io
import time
from datetime import datetime
from typing import Callable

import numpy as np
from django.db import connections, transaction
from django.utils import timezone

from recommender.behaviour import compute
from recommender.conf import recommender_setting
from recommender.models import NeighbourKind, RebuildKind, SignalGeneration, SignalRebuild

NEIGHBOURS_SHRINK = 2.0  # cosine x c/(c+shrink): pairs seen together once or twice count less
SESSION_GAP_MINUTES = 30  # co-viewed: a pause this long starts a new session
BASKET_GAP_HOURS = 24  # co-bought: carts and purchases this close are one basket
BASKET_MAX_ITEMS = 100  # larger sessions (crawlers) are left out of co-occurrence

KIND_CODES = {"view": 0, "click": 1, "like": 2, "cart": 3, "purchase": 4}
NULL = "\\N"  # COPY text format
_BOUGHT = (KIND_CODES["cart"], KIND_CODES["purchase"])
_LOCK_KEY = 0x5649_5452_5349_47  # "VITRSIG": one rebuild at a time, across processes and machines

# COPY takes no bind parameters: {last_id} is replaced by an int.
_EVENTS_SQL = f"""
COPY (
    SELECT CASE WHEN user_id IS NOT NULL THEN {compute.USER}
                WHEN session_key IS NOT NULL THEN {compute.GUEST} ELSE {compute.ANONYMOUS} END,
           COALESCE(user_id, hashtextextended(session_key, 0), 0),
           product_id,
           CASE kind {" ".join(f"WHEN '{k}' THEN {v}" for k, v in KIND_CODES.items())} ELSE 0 END,
           floor(extract(epoch FROM created_at))::bigint,
           weight
    FROM recommender_interaction WHERE id <= {{last_id}}
) TO STDOUT
"""


def _now() -> datetime:
    return timezone.now()


def signals_rebuild(
    *, incremental: bool = False, using: str = "default", progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> SignalRebuild | None:
    """Rebuild under an advisory lock. None when another rebuild holds it, or (incremental) nothing changed."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return None
        try:
            return _rebuild(cursor, using=using, incremental=incremental, progress=progress or (lambda step: None),
                            now=now or _now())
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def _rebuild(cursor, *, using, incremental, progress, now) -> SignalRebuild | None:
    cursor.execute("SELECT count(*), max(id) FROM recommender_interaction")
    count, last_id = cursor.fetchone()
    previous = SignalRebuild.objects.using(using).filter(finished_at__isnull=False, error="").first()
    if incremental and previous and previous.events == count and previous.last_event_id == last_id:
        return None
    started = time.perf_counter()
    log = SignalRebuild.objects.using(using).create(
        kind=RebuildKind.INCREMENTAL if incremental else RebuildKind.FULL, started_at=now, last_event_id=last_id)
    try:
        progress("read")
        events = _read_events(cursor, last_id=last_id or 0)
        progress("compute")
        neighbours = _neighbours(events, now=now.timestamp())
        products, popularity, trending = _popularity(events, now=now.timestamp())
        progress("write")
        generation = _write_generation(cursor, using=using, neighbours=neighbours, products=products,
                                       popularity=popularity, trending=trending)
    except Exception as error:
        SignalRebuild.objects.using(using).filter(pk=log.pk).update(error=repr(error)[:2000])
        raise
    log.generation, log.events = generation, len(events)
    log.pairs, log.products = sum(len(n) for n in neighbours.values()), len(products)
    log.finished_at, log.seconds = _now(), round(time.perf_counter() - started, 3)
    log.save(using=using)
    return log


def _read_events(cursor, *, last_id: int) -> compute.Events:
    """Stream every interaction as text and parse it in numpy chunks (no Python object per row)."""
    ints, weights, blocks, size = [], [], [], 0
    with cursor.cursor.copy(_EVENTS_SQL.replace("{last_id}", str(int(last_id)))) as copy:
        for block in copy:
            blocks.append(bytes(block))
            size += len(block)
            if size >= 1 << 22:  # parse every ~4 MiB, up to the last whole line
                data = b"".join(blocks)
                cut = data.rfind(b"\n") + 1
                _parse(data[:cut], ints, weights)
                blocks, size = [data[cut:]], len(data) - cut
    if size:
        _parse(b"".join(blocks), ints, weights)
    if not ints:
        return compute.Events(*(np.empty(0, dtype=t) for t in (np.int8, np.int64, np.int64, np.int8, np.int64,
                                                                 np.float64)))
    table, weight = np.concatenate(ints), np.concatenate(weights)
    return compute.Events(flag=table[:, 0].astype(np.int8), shopper=table[:, 1], product=table[:, 2],
                          kind=table[:, 3].astype(np.int8), at=table[:, 4], weight=weight)


def _parse(data: bytes, ints: list, weights: list) -> None:
    # Shopper hashes use all 64 bits: integer columns are parsed as int64 (float64 would round them).
    ints.append(np.loadtxt(io.BytesIO(data), dtype=np.int64, delimiter="\t", usecols=(0, 1, 2, 3, 4), ndmin=2))
    weights.append(np.loadtxt(io.BytesIO(data), dtype=np.float64, delimiter="\t", usecols=(5,), ndmin=1))


def _neighbours(events: compute.Events, *, now: float) -> dict[str, compute.Neighbours]:
    common = dict(now=now, half_life_seconds=float(recommender_setting("NEIGHBOURS_HALF_LIFE_DAYS")) * 86400,
                  shrink=NEIGHBOURS_SHRINK, k=int(recommender_setting("NEIGHBOURS_K")),
                  max_basket=BASKET_MAX_ITEMS)
    everything = np.ones(len(events), dtype=bool)  # any interaction means the shopper looked at it
    return {
        NeighbourKind.CO_VIEWED: compute.co_occurrence(
            events, everything, gap_seconds=SESSION_GAP_MINUTES * 60, **common),
        NeighbourKind.CO_BOUGHT: compute.co_occurrence(
            events, np.isin(events.kind, _BOUGHT), gap_seconds=BASKET_GAP_HOURS * 3600,
            **common),
    }


def _popularity(events: compute.Events, *, now: float):
    products, popularity = compute.decayed_scores(
        events, now=now, half_life_seconds=float(recommender_setting("POPULARITY_HALF_LIFE_DAYS")) * 86400)
    _, trending = compute.decayed_scores(
        events, now=now, half_life_seconds=float(recommender_setting("TRENDING_HALF_LIFE_DAYS")) * 86400)
    return products, popularity, trending


def _copy_rows(cursor, sql: str, lines) -> None:
    with cursor.cursor.copy(sql) as copy:
        buffer = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= 50_000:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))


def _write_generation(cursor, *, using, neighbours, products, popularity, trending) -> int:
    """Write generation live+1 beside the live one, flip the pointer, delete the rest."""
    pointer, _ = SignalGeneration.objects.using(using).get_or_create(pk=1)
    generation = pointer.current + 1
    # Leftovers of a crashed rebuild would collide with the new generation's keys.
    cursor.execute("DELETE FROM recommender_itemneighbour WHERE generation <> %s", [pointer.current])
    cursor.execute("DELETE FROM recommender_productsignal WHERE generation <> %s", [pointer.current])
    for kind, found in neighbours.items():
        _copy_rows(cursor, "COPY recommender_itemneighbour (generation, kind, product_id, neighbour_id, score) "
                           "FROM STDIN",
                   (f"{generation}\t{kind}\t{a}\t{b}\t{s:.6g}\n"
                    for a, b, s in zip(found.product.tolist(), found.neighbour.tolist(), found.score.tolist())))
    cursor.execute("SELECT id, category_id FROM catalog_product WHERE id = ANY(%s)", [products.tolist()])
    category = {p: str(c) for p, c in cursor.fetchall()}
    _copy_rows(cursor, "COPY recommender_productsignal (generation, product_id, category_id, popularity, trending) "
                       "FROM STDIN",
               (f"{generation}\t{p}\t{category.get(p, NULL)}\t{a:.6g}\t{b:.6g}\n"
                for p, a, b in zip(products.tolist(), popularity.tolist(), trending.tolist())))
    with transaction.atomic(using=using):
        SignalGeneration.objects.using(using).filter(pk=1).update(current=generation, updated_at=_now())
    # After the flip: reads already running keep seeing the old rows (MVCC); new reads use the new ones.
    cursor.execute("DELETE FROM recommender_itemneighbour WHERE generation <> %s", [generation])
    cursor.execute("DELETE FROM recommender_productsignal WHERE generation <> %s", [generation])
    return generation
