"""Draining the impression buffer into PostgreSQL: impressions in one INSERT per batch, then their clicks.

In: buffer entries (recommender.impressions.recording's layout). Out: `Impression` rows, and a click
`Attribution` for each click on an item of an impression shown at most ATTRIBUTION_HOURS before it: the impression
its request id names when it carries one (a card link's `?rid=`), else that shopper's latest impression of that
rail holding the product. Impressions of a guest who has signed in since they were buffered are written as the
account's (recommender.impressions.buffer.logins_of); the impressions of a page shown to a visitor without a session
become the clicker's when a click comes back from it. A click is counted once per impression and product (a unique
index; a repeat is dropped by ON CONFLICT DO NOTHING).

`impressions_flush(batch, max_batches)` pops and writes until the buffer is empty (or max_batches were written) and
returns how many impressions and clicks it wrote. Entries whose write failed go back to the buffer's head and
the error is raised (the task retries). Commits are asynchronous, as the interactions' are: these are analytics.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from recommender.conf import recommender_setting
from recommender.impressions.buffer import buffer_pop, buffer_return, logins_of

logger = logging.getLogger(__name__)

BATCH = 5000
CLOCK_SKEW = timedelta(seconds=5)  # web processes' clocks differ a little: a click may seem to precede its rail

_INSERT_IMPRESSIONS = """
INSERT INTO recommender_impression (request_id, placement, rail, product_ids, sources, user_id, session_key, ranker,
                                    model_version, experiment_id, arm, shown_at)
SELECT r, p, l, string_to_array(ids, ',')::bigint[], string_to_array(src, ',')::smallint[], u, s, k, v, e, a, t
  FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::text[], %s::text[], %s::bigint[], %s::varchar[],
              %s::varchar[], %s::int[], %s::int[], %s::varchar[], %s::timestamptz[])
       AS x(r, p, l, ids, src, u, s, k, v, e, a, t)
"""

_INSERT_CLICKS = """
INSERT INTO recommender_attribution (impression_id, kind, product_id, source, at, quantity, revenue)
SELECT imp.id, 'click', c.pid, coalesce(imp.sources[array_position(imp.product_ids, c.pid)], 0), c.t, 0, 0
  FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[], %s::bigint[], %s::varchar[], %s::timestamptz[])
       AS c(rid, rail, pid, u, s, t)
  CROSS JOIN LATERAL (
      SELECT i.id, i.sources, i.product_ids FROM recommender_impression i
       WHERE i.product_ids @> ARRAY[c.pid]
         AND i.shown_at BETWEEN c.t - %s * interval '1 hour' AND c.t + %s * interval '1 second'
         AND (CASE WHEN c.rid <> '' THEN i.request_id = c.rid
                   WHEN c.u IS NOT NULL THEN i.user_id = c.u AND i.rail = c.rail
                   ELSE i.user_id IS NULL AND i.session_key = c.s AND i.rail = c.rail END)
       ORDER BY i.shown_at DESC, i.id DESC
       LIMIT 1
  ) imp
ON CONFLICT DO NOTHING
"""


# A first-time visitor's page has no session yet, so its impressions name nobody; the click from it does (the
# product page starts a session): that page's impressions become the clicker's, so that what they then add to the
# cart and buy is attributed to them.
_ADOPT = """
UPDATE recommender_impression i SET user_id = c.u, session_key = c.s
  FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[], %s::bigint[], %s::varchar[], %s::timestamptz[])
       AS c(rid, rail, pid, u, s, t)
 WHERE c.rid <> '' AND i.request_id = c.rid AND i.user_id IS NULL AND i.session_key IS NULL
   AND (c.u IS NOT NULL OR c.s IS NOT NULL)
"""


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def entries_write(entries: list[list]) -> tuple[int, int]:
    """Write buffer entries: (impressions, clicks attributed)."""
    shown = [e for e in entries if e[0] == "i"]
    clicks = [e for e in entries if e[0] == "c"]
    # A guest who signed in since: their impressions are the account's, as the ones written before the login are.
    signed_in = logins_of(sorted({e[7] for e in shown if e[6] is None and e[7]}
                                 | {e[5] for e in clicks if e[4] is None and e[5]}))
    for entry in shown:
        if entry[6] is None and entry[7] in signed_in:
            entry[6] = signed_in[entry[7]]
    for entry in clicks:
        if entry[4] is None and entry[5] in signed_in:
            entry[4] = signed_in[entry[5]]
    written = attributed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        if shown:
            columns = [
                [e[1] for e in shown], [e[2] for e in shown], [e[3] for e in shown],
                [",".join(str(p) for p in e[4]) for e in shown], [",".join(str(s) for s in e[5]) for e in shown],
                [e[6] for e in shown], [e[7] for e in shown], [e[8] for e in shown], [e[9] for e in shown],
                [e[10] for e in shown], [e[11] for e in shown], [_at(e[12]) for e in shown],
            ]
            cursor.execute(_INSERT_IMPRESSIONS, columns)
            written = cursor.rowcount
        if clicks:
            columns = [[e[1] for e in clicks], [e[2] for e in clicks], [e[3] for e in clicks],
                       [e[4] for e in clicks], [e[5] for e in clicks], [_at(e[6]) for e in clicks]]
            cursor.execute(_INSERT_CLICKS, [*columns, float(recommender_setting("ATTRIBUTION_HOURS")),
                                            CLOCK_SKEW.total_seconds()])
            attributed = max(cursor.rowcount, 0)
            cursor.execute(_ADOPT, columns)
    return written, attributed


def impressions_flush(*, batch: int = BATCH, max_batches: int = 100) -> dict:
    report = {"impressions": 0, "clicks": 0}
    for _ in range(max_batches):
        entries = buffer_pop(batch)
        if not entries:
            break
        try:
            written, attributed = entries_write(entries)
        except Exception:
            buffer_return(entries)
            raise
        report["impressions"] += written
        report["clicks"] += attributed
        if len(entries) < batch:
            break
    return report
