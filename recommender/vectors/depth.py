"""How deep an HNSW scan looks (`hnsw.ef_search`): the configured depth, raised to what the shop measured on its own
vectors.

A graph's recall at a fixed depth falls as the catalogue grows: at ef_search 40 a 100k catalogue finds 98.6 % of
the true ten nearest, a million-product one 93 % (docs/benchmarks.md). So each compact refit measures the depth its
own index needs (`recommender.vectors.calibration`) and stores it with the projection; serving uses
max(RECOMMENDER["HNSW_EF_SEARCH"], that depth). Filtered scans scale their floor
(RECOMMENDER["FILTER_HNSW_EF_SEARCH"]) by the same factor: a deeper graph walk for the same recall.

`ef_search_serving(encoder)` is read on every nearest-neighbour query, so a process keeps each encoder's measured
depth for MEMO_SECONDS (one small indexed read then): a refit elsewhere is picked up within that, and by this
process at once (`depth_forget`, on the refit's commit).
"""

from __future__ import annotations

import threading
import time

from recommender.conf import recommender_setting
from recommender.models import VisualProjection
from recommender.vectors.codec import EF_SEARCH_MAX, TEXT_EF_SEARCH_MIN, ef_search_sql
from recommender.vectors.compact import METHOD, compact_parts

MEMO_SECONDS = 30.0
_memo: dict[str, tuple[float, int | None]] = {}
_lock = threading.Lock()


def ef_search_configured() -> int:
    return int(recommender_setting("HNSW_EF_SEARCH"))


def measured_depth(encoder: str | None) -> int | None:
    """The depth the last refit measured for `encoder`'s index (None: never measured, or not a compact encoder)."""
    if not encoder:
        return None
    now = time.monotonic()
    with _lock:
        found = _memo.get(encoder)
    if found is not None and now - found[0] < MEMO_SECONDS:
        return found[1]
    depth = _measured_depth_read(encoder)
    with _lock:
        _memo[encoder] = (now, depth)
    return depth


def _measured_depth_read(encoder: str) -> int | None:
    parts = compact_parts(encoder)
    if parts is None:
        return None
    held_out = (VisualProjection.objects.filter(encoder=parts[0], method=METHOD, output_dim=parts[1])
                .values_list("held_out", flat=True).first()) or {}
    depth = (held_out.get("hnsw") or {}).get("ef_search")
    return int(depth) if depth else None


def depth_forget() -> None:
    with _lock:
        _memo.clear()


def ef_search_serving(encoder: str | None = None) -> int:
    """The depth an unfiltered scan of `encoder`'s index starts at: the configured one, or deeper where the shop
    measured that its index needs it. Without an encoder, the configured one."""
    return min(max(ef_search_configured(), measured_depth(encoder) or 0), EF_SEARCH_MAX)


def ef_search_for(rows: int, *, filtered: bool = False, text: bool = False, encoder: str | None = None) -> int:
    """How deep an HNSW scan looks to fill `rows` rows: never fewer than `rows`, and at least the serving depth
    (`ef_search_serving(encoder)`), or the filtered floor (RECOMMENDER["FILTER_HNSW_EF_SEARCH"], scaled as the serving
    depth was) when a filter inside the scan drops candidates. Text search: twice `rows`, at least
    TEXT_EF_SEARCH_MIN, at most EF_SEARCH_MAX. A caller that drops a row itself (the anchor among its own neighbours)
    asks for one more."""
    if text:
        return max(TEXT_EF_SEARCH_MIN, min(rows * 2, EF_SEARCH_MAX))
    serving = ef_search_serving(encoder)
    if filtered:
        scale = serving / ef_search_configured()
        floor = round(int(recommender_setting("FILTER_HNSW_EF_SEARCH")) * scale)
    else:
        floor = serving
    return min(max(floor, rows), EF_SEARCH_MAX)


SESSION_ATTR = "vitrine_hnsw_ef_search"  # on Django's connection wrapper: the depth its database session starts at


def session_depth_set(connection, depth: int) -> None:
    """Set the session's own `hnsw.ef_search` (a new connection's, `store.ef_search_session_default`)."""
    with connection.cursor() as cursor:
        cursor.execute(ef_search_sql(depth, local=False))
    setattr(connection, SESSION_ATTR, depth)


def session_depth_ensure(connection, depth: int) -> bool:
    """True when the connection's session already scans at `depth`, or now does: a scan then needs no transaction
    and no SET LOCAL around it. The session's default is changed only in autocommit outside any transaction (a
    SET inside one would be undone by its rollback); inside one this is False and the caller sets it locally."""
    if getattr(connection, SESSION_ATTR, None) == depth:
        return True
    if not connection.get_autocommit() or connection.in_atomic_block:
        return False
    session_depth_set(connection, depth)
    return True
