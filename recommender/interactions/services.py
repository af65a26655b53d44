"""Interaction writes: record events, take a like back, move a guest's history into their account.

In: shop events as plain values (kind, product id, user id or session key, `at`). Out: rows in
recommender_interaction (see recommender.models.interactions for weights and collapsing).
`interactions_record_bulk` writes any number of events in one INSERT ... SELECT FROM unnest(...)
... ON CONFLICT DO NOTHING: duplicates (repeat views in a window, a re-sent order line, a second
like) are dropped by the unique indexes, race-safe, with no read first. Outside a transaction the
insert commits asynchronously (synchronous_commit off, for this transaction only): events are
analytics, and waiting for a disk flush per page view made recording 20k events take minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from django.db import IntegrityError, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.interactions.versions import shopper_id, shopper_touched
from recommender.models import Interaction, InteractionKind

# An event older than this is history being replayed (demo data, an import), not a shopper on a page now.
LIVE_EVENT_AGE = timedelta(minutes=10)

_INSERT = """
INSERT INTO recommender_interaction
    (user_id, session_key, product_id, kind, weight, rail, order_id, variant_id, bucket, created_at)
SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::varchar[], %s::float8[], %s::varchar[],
                     %s::bigint[], %s::bigint[], %s::int[], %s::timestamptz[])
ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True)
class InteractionEvent:
    kind: str  # an InteractionKind value
    product_id: int
    user_id: int | None = None
    session_key: str | None = None
    at: datetime | None = None  # None: now
    rail: str = ""
    order_id: int | None = None
    variant_id: int | None = None
    weight: float | None = None  # None: INTERACTION_WEIGHTS[kind]


def _now() -> datetime:
    return timezone.now()


def _bucket(kind: str, at: datetime, *, collapse_kinds, window_seconds: int) -> int | None:
    if kind == InteractionKind.LIKE:
        return 0  # a like is a state: one row per shopper and product
    if kind in collapse_kinds:
        return int(at.timestamp()) // window_seconds
    return None


def interactions_record_bulk(*, events: Iterable[InteractionEvent], using: str = "default") -> int:
    """Record events in one statement; returns how many rows were new (duplicates collapse)."""
    weights = recommender_setting("INTERACTION_WEIGHTS")
    collapse_kinds = set(recommender_setting("COLLAPSE_KINDS"))
    window = int(recommender_setting("COLLAPSE_MINUTES")) * 60
    now = _now()
    columns: list[list] = [[] for _ in range(10)]
    live: list[tuple] = []  # shoppers acting now, whose next page a precomputed feed can wait for
    for e in events:
        if e.kind not in InteractionKind.values:
            raise ValueError(f"unknown interaction kind {e.kind!r}")
        at = e.at or now
        row = (e.user_id, e.session_key or None, e.product_id, e.kind,
               float(weights[e.kind] if e.weight is None else e.weight), (e.rail or "")[:50], e.order_id,
               e.variant_id, _bucket(e.kind, at, collapse_kinds=collapse_kinds, window_seconds=window), at)
        for column, value in zip(columns, row):
            column.append(value)
        if now - at < LIVE_EVENT_AGE:
            live.append((row[0], row[1]))
    if not columns[0]:
        return 0
    _touched_on_commit(zip(columns[0], columns[1]), live=live, using=using)
    connection = connections[using]
    if connection.in_atomic_block:  # the caller's transaction decides how it commits
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, columns)
            return max(cursor.rowcount, 0)
    # On its own: an asynchronous commit. A crash may lose the last fraction of a second of events
    # (never corrupts anything), and recording no longer waits for a WAL flush per page view.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(_INSERT, columns)
        return max(cursor.rowcount, 0)


def _touched_on_commit(shoppers, *, live=None, using: str = "default") -> None:
    """Their cached feeds (recommender.recommend.feeds) stop being served once this transaction commits. Only the
    `live` ones (all of them when None) get a feed refresh queued: replayed history has nobody waiting on a page,
    and the beat's bulk precomputation covers them."""
    touched = {shopper_id(user_id=user_id, session_key=session_key) for user_id, session_key in shoppers}
    now_acting = None if live is None else {shopper_id(user_id=u, session_key=s) for u, s in live}
    transaction.on_commit(lambda: shopper_touched(touched, live=now_acting), using=using)


def interaction_record(
    *, kind: str, product_id: int, user_id: int | None = None, session_key: str | None = None,
    at: datetime | None = None, rail: str = "", order_id: int | None = None, variant_id: int | None = None,
) -> bool:
    """Record one event; returns False when it collapsed into an existing row."""
    event = InteractionEvent(kind=kind, product_id=product_id, user_id=user_id, session_key=session_key, at=at,
                             rail=rail, order_id=order_id, variant_id=variant_id)
    return interactions_record_bulk(events=[event]) > 0


def _shopper(*, user_id: int | None, session_key: str | None) -> dict | None:
    if user_id is not None:
        return {"user_id": user_id}
    if session_key:
        return {"user__isnull": True, "session_key": session_key}
    return None


def interaction_unlike(*, product_id: int, user_id: int | None = None, session_key: str | None = None) -> int:
    """A like taken back stops counting: its row is deleted (it never reached a purchase). Returns rows deleted."""
    shopper = _shopper(user_id=user_id, session_key=session_key)
    if shopper is None:
        return 0
    _touched_on_commit([(user_id, session_key)])
    return Interaction.objects.filter(**shopper, product_id=product_id, kind=InteractionKind.LIKE).delete()[0]


def interactions_merge_guest(*, session_key: str, user_id: int) -> int:
    """A guest's rows become the account's (at login). Returns rows moved.

    A guest row that collides with one the account already has (same product, kind and collapse
    window, e.g. both liked it) is dropped first: the account's row already says the same thing."""
    guest = Interaction.objects.filter(session_key=session_key, user__isnull=True)
    _touched_on_commit([(user_id, None), (None, session_key)])
    for attempt in range(2):
        try:
            with transaction.atomic():
                mine = Interaction.objects.filter(user_id=user_id, bucket__isnull=False)
                guest.filter(bucket__isnull=False).filter(Exists(
                    mine.filter(product_id=OuterRef("product_id"), kind=OuterRef("kind"), bucket=OuterRef("bucket"))
                )).delete()
                return guest.update(user_id=user_id)
        except IntegrityError:  # the account recorded a colliding row meanwhile: once more
            if attempt:
                raise
    return 0

