"""Login throttling: at most LIMIT failed logins per (client IP, username) in WINDOW seconds.

State is a counter in the default cache (Redis), so every web process shares it; the window starts
at the first failure. While the limit is reached even the right password is refused, so guessing
cannot go on. If the cache is down the check fails open (logged): a broken Redis must not lock every
shopper out. Settings: SHOP_LOGIN_FAILURE_LIMIT (default 5), SHOP_LOGIN_FAILURE_WINDOW (seconds, 900).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from shop.core.cache import fail_open


def _limit() -> int:
    return getattr(settings, "SHOP_LOGIN_FAILURE_LIMIT", 5)


def window_seconds() -> int:
    return getattr(settings, "SHOP_LOGIN_FAILURE_WINDOW", 15 * 60)


def _key(*, ip: str, username: str) -> str:
    # Hashed: usernames are free text, cache keys are not.
    digest = hashlib.sha256(f"{ip}\0{username.strip().lower()}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def client_ip(request) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a header the client writes cannot choose its own bucket.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def login_blocked(*, ip: str, username: str) -> bool:
    key = _key(ip=ip, username=username)
    return fail_open(lambda: (cache.get(key) or 0) >= _limit(), down=False,
                     says="login throttle: cache unavailable, letting the attempt through")


def _count(key: str) -> None:
    cache.add(key, 0, timeout=window_seconds())
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: start again
        cache.set(key, 1, timeout=window_seconds())


def login_failure_record(*, ip: str, username: str) -> None:
    key = _key(ip=ip, username=username)
    fail_open(lambda: _count(key), down=None, says="login throttle: cache unavailable, failure not counted")


def login_failures_clear(*, ip: str, username: str) -> None:
    key = _key(ip=ip, username=username)
    fail_open(lambda: cache.delete(key), down=None, says="login throttle: cache unavailable, failures not cleared")
