"""The shop's cache calls, fail open: a stopped Redis costs a guard (a throttle), never a page.

In: `call`, one or several calls on Django's cache that make one operation; `down`, its answer when the cache
cannot be reached; `says`, the warning logged then. Out: what `call()` returns, or `down`. The recommender keeps
its own helper (recommender.cache): the shop never imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


def fail_open(call: Callable[[], T], *, down: T, says: str) -> T:
    try:
        return call()
    except Exception:  # redis-py raises a family of connection errors; all mean "not reachable"
        logger.warning(says, exc_info=True)
        return down
