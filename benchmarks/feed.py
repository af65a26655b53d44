"""bench feed: GET /api/recommendations/ under load, served by gunicorn (2 sync workers) on loopback.

Setup (not timed): a scratch database (dropped afterwards) with `products` synthetic products and
vectors (benchmarks.scratch), `events` synthetic interactions from the signals bench's
generator (8 weeks ending now, 60 % of shoppers signed in) and the behaviour signals rebuilt on
them; then a session row per simulated shopper: `shoppers` sessions, 70 % signed-in users (the
session carries the auth hash, as a login would), 30 % guests whose session holds their guest key,
all with history. gunicorn runs `shop.wsgi` against the scratch database with DEBUG off and a
private Redis database for the cache (its keys are deleted afterwards).

The shop's hourly batch (recommender.recommend.feed_batch, `manage.py precompute_feeds` run against the scratch
database and gunicorn's cache) then ranks the home feeds of the FEED_BATCH_SHOPPERS most recently active
shoppers; its time is reported as "batch". The simulated shoppers are drawn from those: returning shoppers.

Load: `concurrency` keep-alive HTTP/1.1 clients (threads in this process, http.client) on
/api/recommendations/?placement=home, after a warm-up on WARM_UP shoppers who are not measured.
Three phases of at most `seconds` each:
- first (the top-level figures): every request a different shopper's first since the batch, so each is served
  from the feed and the product cards it made (the stock re-checked, the cards assembled);
- warm: the same shoppers again, round robin, nothing changed since: a reload or a polling client;
- computed: the feed cache emptied first, so every request ranks the shopper's feed on the spot: a shopper
  outside the batch (new, quiet for FEED_BATCH_DAYS, or past FEED_BATCH_SECONDS), or a cache lost.
Latency is per request as the client saw it (queueing in gunicorn's backlog included), rps =
completed 200s / wall seconds. Anything but a 200 is counted in "errors".
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone as dt_timezone
from pathlib import Path
from urllib.parse import quote

import numpy as np
from django.conf import settings
from django.db import connection

from benchmarks.scratch import catalogue_fill, scratch_database
from recommender.recommend.feed_batch import active_shoppers

WARM_UP = 200  # shoppers whose requests warm the workers up; never measured
CACHE_DB = 12  # the gunicorn workers' broker database (their cache: the next one), emptied of our keys afterwards


def run(*, products: int, events: int, seconds: float = 20.0, concurrency: int = 4, shoppers: int = 2000,
        max_requests: int = 50_000, seed: int = 5, log) -> dict:
    with scratch_database("bench_feed", log=log) as name:
        filled = catalogue_fill(products=products, raw_index=False, log=log)
        log(f"{events:,} interactions; rebuilding signals")
        _history(first_product=filled["first_product_id"], products=products, events=events, seed=seed)
        batch_shoppers = active_shoppers()
        users = [int(who[1:]) for who in batch_shoppers if who.startswith("u")]
        guests = [who[1:] for who in batch_shoppers if who.startswith("s")]
        cookies = _sessions(users=users, guests=guests, count=shoppers, seed=seed)
        log(f"{len(cookies)} shopper sessions among the batch's {len(batch_shoppers)}; starting gunicorn")
        with _gunicorn(database=name, log=log) as server:
            log(f"batch: precompute_feeds for {len(batch_shoppers)} shoppers")
            started = time.perf_counter()
            subprocess.run([sys.executable, "manage.py", "precompute_feeds", "--verbosity", "0"], cwd=settings.BASE_DIR,
                           env=server.env, check=True)
            batch_seconds = time.perf_counter() - started
            path = "/api/recommendations/?placement=home"
            spare, measured = cookies[-WARM_UP:], cookies[:-WARM_UP]
            _load(server.port, path, spare, seconds=None, concurrency=concurrency, max_requests=len(spare))  # warm-up
            log(f"first: {concurrency} clients, every request a shopper's first since the batch")
            first, first_errors, first_wall = _load(server.port, path, measured, seconds=seconds,
                                                    concurrency=concurrency, max_requests=min(max_requests, len(measured)))
            served = measured[:len(first) + first_errors]
            log(f"warm: the same {len(served)} shoppers again for {seconds:.0f} s, nothing changed since")
            warm, warm_errors, warm_wall = _load(server.port, path, served, seconds=seconds, concurrency=concurrency,
                                                 max_requests=max_requests)
            server.cache_clear()
            log(f"computed: feed cache emptied; the same shoppers for {seconds:.0f} s, every feed ranked on request")
            computed, computed_errors, computed_wall = _load(server.port, path, served, seconds=seconds,
                                                             concurrency=concurrency,
                                                             max_requests=min(max_requests, len(served)))
        return {
            **_figures(first, first_errors, first_wall),
            "warm": _figures(warm, warm_errors, warm_wall),
            "computed": _figures(computed, computed_errors, computed_wall),
            "batch": {"shoppers": len(batch_shoppers), "seconds": round(batch_seconds, 1),
                      "feeds_per_s": round(len(batch_shoppers) / batch_seconds, 1)},
            "concurrency": concurrency, "workers": 2, "shoppers": len(served), "products": products, "events": events,
        }


def _figures(timings: list[float], errors: int, wall: float) -> dict:
    ok = len(timings)
    return {
        "p95_ms": round(float(np.percentile(timings, 95)), 1) if ok else None,
        "rps": round(ok / wall, 1),
        "p50_ms": round(float(np.percentile(timings, 50)), 1) if ok else None,
        "requests": ok, "errors": errors, "seconds": round(wall, 1),
    }


def _history(*, first_product: int, products: int, events: int, seed: int) -> tuple[list[int], list[str]]:
    """Interactions by the signals bench's generator, COPYed in; signals rebuilt. Returns (user ids, guest keys)
    of every shopper with history."""
    from recommender.behaviour.services import signals_rebuild
    from benchmarks.signals import _events, bench_users, copy_interactions

    rng = np.random.default_rng(seed)
    end = time.time()
    shoppers = 50_000
    user_count = int(shoppers * 0.6)
    with connection.cursor() as cursor:
        first_user = bench_users(cursor, user_count)
        shopper, product, kind, at = _events(rng, events=events, products=products, shoppers=shoppers, end=end)
        copy_interactions(cursor, shopper=shopper, product=product, kind=kind, at=at,
                          first_user=first_user, first_product=first_product, user_count=user_count)
        cursor.execute("ANALYZE recommender_interaction")
    signals_rebuild(now=datetime.fromtimestamp(end, dt_timezone.utc))
    active = np.unique(shopper)
    users = [first_user + int(s) for s in active if s < user_count]
    guests = [f"bench-guest-{int(s)}" for s in active if s >= user_count]
    return users, guests


def _sessions(*, users: list[int], guests: list[str], count: int, seed: int) -> list[str]:
    """Session cookies ("sessionid=..."): 70 % signed-in users, 30 % guests, all with history."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from shop.accounts.visitors import GUEST_KEY

    rng = np.random.default_rng(seed)
    picked_users = rng.choice(users, size=min(int(count * 0.7), len(users)), replace=False)
    picked_guests = rng.choice(guests, size=min(count - len(picked_users), len(guests)), replace=False)
    cookies = []
    for user in get_user_model().objects.filter(pk__in=[int(u) for u in picked_users]):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    for guest in picked_guests:
        store = SessionStore()
        store[GUEST_KEY] = str(guest)
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    order = np.random.default_rng(seed).permutation(len(cookies))
    return [cookies[i] for i in order]


class _gunicorn:
    def __init__(self, *, database: str, log):
        self.database, self.log, self.process = database, log, None

    def __enter__(self) -> "_gunicorn":
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT'] or 5432}/{self.database}"
        redis = f"{settings.REDIS_URL.rsplit('/', 1)[0]}/{CACHE_DB}"
        self.redis = redis
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis, "DJANGO_SETTINGS_MODULE": "shop.settings.local",
               "DJANGO_DEBUG": "false"}
        self.env, self.port = env, port
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "shop.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=settings.BASE_DIR, env=env, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/recommendations/?placement=home")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log("gunicorn stopped")
        try:
            self.cache_clear()
        except Exception as error:  # the cache is a bench detail; never hide the real result for it
            self.log(f"cache cleanup skipped: {error}")
        return False

    def cache_clear(self) -> None:
        """Delete the shop's keys from the workers' cache (never FLUSHDB: the database number may be shared)."""
        import redis

        from shop.settings.base import cache_url

        client = redis.Redis.from_url(cache_url(self.redis))
        keys = list(client.scan_iter("vitrine:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start:start + 500])


def _load(port: int, path: str, cookies: list[str], *, seconds: float | None, concurrency: int,
          max_requests: int) -> tuple[list[float], int, float]:
    """Closed-loop load: each client sends its next request when the previous answer arrived."""
    lock = threading.Lock()
    counter = iter(range(max_requests))
    timings: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds if seconds else None

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, failed = [], 0
        while stop is None or time.monotonic() < stop:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookies[n % len(cookies)]})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            if status == 200:
                local.append((time.perf_counter() - started) * 1000)
            else:
                failed += 1
        conn.close()
        with lock:
            timings.extend(local)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors[0], time.perf_counter() - started
