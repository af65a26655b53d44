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

from recommender import cache

KEY = cache.IMPRESSIONS_BUFFER
LOGIN_SECONDS = 3600  # a buffer drained this late has bigger problems than attribution
MAX_ENTRIES = 1_000_000  # ~300 MB of Redis at most; a worker drains 10k entries in well under a second


def _client():
    backend = getattr(cache.strict, "_cache", None)
    get_client = getattr(backend, "get_client", None)
    return get_client(write=True) if get_client is not None else None


def buffer_push(entries: list[list]) -> bool:
    """True when the entries are buffered (or lost to a stopped Redis); False: no Redis cache, write them now."""
    client = cache.fail_open(_client, down=cache.UNAVAILABLE, says="impressions: no cache client")
    if client is None:
        return False
    if client is not cache.UNAVAILABLE:  # a stopped Redis: these impressions are lost, the page is not
        cache.fail_open(lambda: _append(client, entries), down=None,
                        says=f"impressions: buffer unreachable, {len(entries)} entries dropped")
    return True


def _append(client, entries: list[list]) -> None:
    length = client.rpush(KEY, *[json.dumps(entry, separators=(",", ":")) for entry in entries])
    if length > MAX_ENTRIES:
        client.ltrim(KEY, -MAX_ENTRIES, -1)


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


def _remember(session_key: str, user_id: int) -> None:
    client = _client()
    if client is not None:
        client.set(cache.impressions_login_key(session_key), user_id, ex=LOGIN_SECONDS)


def login_remember(*, session_key: str, user_id: int) -> None:
    """A guest signed in: impressions of theirs still in the buffer are written as the account's (`logins_of`)."""
    cache.fail_open(lambda: _remember(session_key, user_id), down=None, says="impressions: could not remember a login")


def logins_of(session_keys: list[str]) -> dict[str, int]:
    """{guest session key: user id} for the guests among these who signed in within LOGIN_SECONDS."""
    client = _client()
    if client is None or not session_keys:
        return {}
    values = client.mget([cache.impressions_login_key(key) for key in session_keys])
    return {key: int(value) for key, value in zip(session_keys, values) if value is not None}


def _length() -> int:
    client = _client()
    return int(client.llen(KEY)) if client is not None else 0


def buffer_length() -> int:
    return cache.fail_open(_length, down=0, says="impressions: buffer length unavailable")
