"""Recording what a page or an API answer showed, cheaply: one Redis RPUSH per request, never an error.

In: the request's rails (placement, rail name, product ids in order, each item's source), who saw them, the
ranker and experiment arm that made them. Out: one buffer entry per rail, with a request id (16 hex characters)
shared by the request's rails and returned so that the page can put it on its card links (`?rid=`) and the API in
a response header; a click then names the exact impression it came from (recommender.impressions.flush).

`impressions_record` is the whole per-request cost: a token and one JSON-ready list per rail; the request's
entries go to Redis in one RPUSH once Django has sent the response (request_finished), and at once outside a
request (figures in docs/benchmarks.md, `bench impressions`). The worker writes the rows. Without a Redis cache the
rows are written then, in one INSERT. Anything failing is logged and the page goes on.

Entry layout (a JSON list, compact): ["i", request id, placement, rail, product ids, source codes, user id,
session key, ranker, model version, experiment id, arm, epoch seconds].
Click entries: ["c", request id or "", rail, product id, user id, session key, epoch seconds].
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from recommender.conf import recommender_setting
from recommender.impressions.buffer import buffer_push
from recommender.impressions.codes import source_code

logger = logging.getLogger(__name__)

SERVING_MEMO_SECONDS = 5.0
# Entries of the request in flight: pushed when Django has sent its response (request_finished), so the shopper's
# page does not wait for the Redis round trip. Outside a request (a task, a shell) entries are pushed at once.
_pending: ContextVar[list | None] = ContextVar("recommender_impressions_pending", default=None)


@dataclass(frozen=True)
class Shown:
    rail: str
    product_ids: Sequence[int]
    sources: Sequence[str]  # per position


def new_request_id() -> str:
    return secrets.token_hex(8)


def ranker_of(*, placement: str, arm) -> tuple[str, int | None]:
    """("learned", version) or ("blend", None): what ranked a placement for this arm. Home is ranked by the
    serving learned ranker where one serves (recommender.recommend.service); the other placements by the blend."""
    if arm is not None and arm.ranker == "learned" and arm.ranker_version_id:
        return "learned", arm.ranker_version_id
    if placement != "home" or (arm is not None and (arm.ranker == "blend" or arm.weights)):
        return "blend", None
    version = _serving_version()
    return ("learned", version) if version else ("blend", None)


_serving: list = [0.0, None]  # [monotonic deadline, serving version id]: one process's memo


def _serving_version() -> int | None:
    """The serving ranker version, remembered SERVING_MEMO_SECONDS per process: a Redis round trip per page for a
    label that changes once a day cost more than the rest of the hook (docs/benchmarks.md)."""
    if time.monotonic() >= _serving[0]:
        from recommender.recommend.ranker import serving_version_id

        _serving[1] = serving_version_id()
        _serving[0] = time.monotonic() + SERVING_MEMO_SECONDS
    return _serving[1]


def impressions_record(*, placement: str, shown: Sequence[Shown], user_id: int | None, session_key: str | None,
                       arm=None, request_id: str | None = None) -> str | None:
    """Buffer one impression per rail shown; returns the request id (None when nothing was recorded)."""
    shown = [rail for rail in shown if rail.product_ids]
    if not shown or not recommender_setting("IMPRESSIONS"):
        return None
    try:
        from recommender.experiments.serving import fell_back

        if arm is not None and fell_back():
            arm = None  # the arm failed on this request: the shopper saw the default
        request_id = request_id or new_request_id()
        ranker, version = ranker_of(placement=placement, arm=arm)
        now = round(time.time(), 3)
        entries = [
            ["i", request_id, placement, rail.rail[:50], [int(pid) for pid in rail.product_ids],
             [source_code(source) for source in rail.sources], user_id, session_key or None, ranker, version,
             arm.experiment_id if arm is not None else None, arm.name if arm is not None else "", now]
            for rail in shown
        ]
        if not _defer(entries):
            _push(entries)
        return request_id
    except Exception:  # impressions are analytics: a failure here must never cost the page
        logger.exception("impressions: could not record %s", placement)
        return None


def click_record(*, product_id: int, rail: str, request_id: str = "", user_id: int | None = None,
                 session_key: str | None = None) -> None:
    """A click on a recommendation, attributed by the flush to the impression it came from."""
    if not recommender_setting("IMPRESSIONS"):
        return
    try:
        entry = ["c", (request_id or "")[:16], (rail or "")[:50], int(product_id), user_id, session_key or None,
                 round(time.time(), 3)]
        if not _defer([entry]):
            _push([entry])
    except Exception:
        logger.exception("impressions: could not record a click")


def _push(entries: list[list]) -> None:
    if not buffer_push(entries):
        from recommender.impressions.flush import entries_write

        entries_write(entries)


def _defer(entries: list[list]) -> bool:
    pending = _pending.get()
    if pending is None:
        return False
    pending.extend(entries)
    return True


def request_collect(sender, **kwargs) -> None:
    """request_started: collect this request's entries (connected in recommender.impressions.receivers)."""
    _pending.set([])


def request_push(sender, **kwargs) -> None:
    """request_finished: push what this request collected."""
    pending = _pending.get()
    _pending.set(None)
    if pending:
        try:
            _push(pending)
        except Exception:
            logger.exception("impressions: could not record %d entries", len(pending))

