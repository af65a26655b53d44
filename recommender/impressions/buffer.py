"""The impression buffer: one Redis list that pages append to and the flush task drains. The only door to it.

In: entries as plain lists (recommender.impressions.recording builds them). `buffer_push(entries)` appends them
with one RPUSH and never raises (a stopped Redis loses those entries, logged, and the page renders as ever);
`buffer_pop(n)` takes up to n from the head atomically (LRANGE + LTRIM in one MULTI), so two flushing workers
never take the same entry; `buffer_return(entries)` puts entries back at the head when writing them failed.
The list is capped at MAX_ENTRIES (oldest dropped) so that a shop with no worker running cannot fill Redis.

It is the cache's Redis (Django's RedisCache client, database REDIS_URL + 1). With another cache backend (a
local-memory cache in some benchmarks and tests) there is no shared list, and `buffer_push` answers False: the
caller writes the rows itself.
"""

from __future__ import annotations

import json
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY = "vitrine:recommender:impressions"
LOGIN_SECONDS = 3600  # a buffer drained this late has bigger problems than attribution
MAX_ENTRIES = 1_000_000  # ~300 MB of Redis at most; a worker drains 10k entries in well under a second


def _client():
    backend = getattr(cache, "_cache", None)
    get_client = getattr(backend, "get_client", None)
    return get_client(write=True) if get_client is not None else None


def buffer_push(entries: list[list]) -> bool:
    """True when the entries are buffered (or lost to a stopped Redis); False: no Redis cache, write them now."""
    try:
        client = _client()
    except Exception:
        logger.warning("impressions: no cache client", exc_info=True)
        return True
    if client is None:
        return False
    try:
        length = client.rpush(KEY, *[json.dumps(entry, separators=(",", ":")) for entry in entries])
        if length > MAX_ENTRIES:
            client.ltrim(KEY, -MAX_ENTRIES, -1)
    except Exception:  # a stopped Redis: these impressions are lost, the page is not
        logger.warning("impressions: buffer unreachable, %d entries dropped", len(entries), exc_info=True)
    return True


def buffer_pop(count: int) -> list[list]:
    client = _client()
    if client is None:
        return []
    with client.pipeline(transaction=True) as pipe:
        pipe.lrange(KEY, 0, count - 1)
        pipe.ltrim(KEY, count, -1)
        raw, _ = pipe.execute()
    return [json.loads(item) for item in raw]


def buffer_return(entries: list[list]) -> None:
    client = _client()
    if client is not None and entries:
        client.lpush(KEY, *[json.dumps(entry, separators=(",", ":")) for entry in reversed(entries)])


def _login_key(session_key: str) -> str:
    return f"vitrine:recommender:impressions:login:{session_key}"


def login_remember(*, session_key: str, user_id: int) -> None:
    """A guest signed in: impressions of theirs still in the buffer are written as the account's (`logins_of`)."""
    try:
        client = _client()
        if client is not None:
            client.set(_login_key(session_key), user_id, ex=LOGIN_SECONDS)
    except Exception:
        logger.warning("impressions: could not remember a login", exc_info=True)


def logins_of(session_keys: list[str]) -> dict[str, int]:
    """{guest session key: user id} for the guests among these who signed in within LOGIN_SECONDS."""
    client = _client()
    if client is None or not session_keys:
        return {}
    values = client.mget([_login_key(key) for key in session_keys])
    return {key: int(value) for key, value in zip(session_keys, values) if value is not None}


def buffer_length() -> int:
    try:
        client = _client()
        return int(client.llen(KEY)) if client is not None else 0
    except Exception:
        return 0
