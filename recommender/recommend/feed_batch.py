"""Home feeds precomputed in bulk for the shoppers most likely to come back, so their next first page is a hit.

In: FEED_BATCH_SHOPPERS (how many, 0 = off) and FEED_BATCH_DAYS (active within). Out: each picked shopper's home
feed in the feed cache (recommender.recommend.feeds) for their current version, kept FEED_BATCH_SECONDS.

Why: computing a feed costs ~20 queries and ~40 ms of ranking (see recommender.recommend.feeds); on two cores that caps
first requests near 30 a second. A shopper's feed changes when they act (a worker recomputes it then,
FEED_PRECOMPUTE), when signals are rebuilt and when the catalogue changes; between those it is the same answer.
So the beat recomputes the feeds of recently active shoppers every FEED_BATCH_INTERVAL: a returning shopper's
first request reads the cache, and a feed is never older than one interval's signals. A shopper outside the
batch (new, or gone quiet) is computed on request, on request.

Safety is the feed cache's: a feed is stored under the version the shopper had when it was ranked, so one who
acts during the batch is never served it (their action's own refresh covers them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.interactions.versions import shopper_version_kept
from recommender.recommend.feeds import feed_refresh
from recommender.models import Interaction

logger = logging.getLogger(__name__)


def active_shoppers(*, limit: int | None = None, days: float | None = None) -> list[str]:
    """Shopper ids ("u<user id>", "s<guest key>") with an interaction in the last `days`, latest first, at most
    `limit` (FEED_BATCH_SHOPPERS and FEED_BATCH_DAYS when None). One query on the interactions' time index."""
    limit = int(recommender_setting("FEED_BATCH_SHOPPERS") if limit is None else limit)
    days = float(recommender_setting("FEED_BATCH_DAYS") if days is None else days)
    if limit <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT who FROM (
                SELECT CASE WHEN user_id IS NOT NULL THEN 'u' || user_id ELSE 's' || session_key END AS who,
                       max(created_at) AS last
                  FROM {Interaction._meta.db_table}
                 WHERE created_at > %s AND (user_id IS NOT NULL OR session_key IS NOT NULL)
                 GROUP BY 1
            ) latest
            ORDER BY last DESC, who
            LIMIT %s
            """,
            [timezone.now() - timedelta(days=days), limit],
        )
        return [who for (who,) in cursor.fetchall()]


@dataclass
class BatchReport:
    cached: int = 0
    stale: int = 0  # acted while their feed was ranked: their own refresh covers it
    gone: int = 0  # a user deleted or deactivated since

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def feeds_precompute(shoppers: Iterable[str], *, cache_seconds: int | None = None,
                     progress: Callable[[int], None] | None = None) -> BatchReport:
    """Rank and cache each shopper's home feed for their current version. Raises when the cache is unreachable:
    a batch that cannot store anything should fail loudly, not spend an hour ranking for nothing."""
    seconds = int(recommender_setting("FEED_BATCH_SECONDS") if cache_seconds is None else cache_seconds)
    report = BatchReport()
    for who in shoppers:
        version = shopper_version_kept(who)
        report.add(feed_refresh(who=who, version=version, cache_seconds=seconds))
        if progress is not None:
            progress(1)
    return report
