"""bench impressions: what recording impressions adds to the home and product pages, measured side by side.

Setup (not timed): a scratch database (benchmarks.scratch, dropped afterwards) with `products` synthetic products
and their vectors, `events` synthetic interactions and the behaviour signals rebuilt on them (as bench feed makes
them), so the home page has its "for you" rail and the product page its three rails. One guest session (started by
a product page view, as a shopper's is).

Timed: GET / and GET of a product page through Django's test client (routing, middleware, the rails provider,
templates; no network), `loads` times each with RECOMMENDER["IMPRESSIONS"] on and off, interleaved request by
request (on, off, off, on, ...) so that drift and noise hit both alike, after WARM_UP untimed loads. The home rail
is served from the feed cache (a shopper's usual request), so its page is cheap and the hook's share shows;
product pages rank their rails on every request. Reported per page: p50 and p95 in ms with it on and off and the
p50 difference; `hook_p50_us` / `hook_p95_us`: `impressions_record` alone for one 8-item home rail inside a request
(the request id, the entry, the serving ranker's version from the cache), and `push_after_response_*`: the RPUSH
to Redis that runs once the response has gone (request_finished); `flush_rows_per_s`: the worker's flush of everything buffered (the measured pages' impressions
plus FLUSH_ROWS more). The cache and buffer are the configured Redis; the buffer is emptied afterwards.
"""

from __future__ import annotations

import statistics
import time

from django.test import Client, override_settings

from benchmarks.scratch import catalogue_fill, scratch_database

WARM_UP = 5
FLUSH_ROWS = 20_000


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3)}


def run(*, products: int = 2000, events: int = 100_000, loads: int = 200, log) -> dict:
    from django.conf import settings
    from django.core.cache import cache

    from benchmarks.feed import _history
    from recommender.impressions.buffer import KEY

    base = dict(getattr(settings, "RECOMMENDER", {}))
    with override_settings(RECOMMENDER=base), scratch_database("bench_impressions", log=log):
        filled = catalogue_fill(products=products, raw_index=False, log=log)
        log(f"{events:,} interactions; rebuilding signals")
        _history(first_product=filled["first_product_id"], products=products, events=events, seed=5)
        cache._cache.get_client(write=True).delete(KEY)
        client = Client(HTTP_HOST="localhost")
        product_url = _product_url(filled["first_product_id"] + 7)
        client.get(product_url)  # a guest session, as a shopper has after their first product view
        pages = {"home": "/", "product": product_url}
        result: dict = {"products": products, "events": events, "loads": loads}
        for name, url in pages.items():
            log(f"{name}: {loads} loads on and {loads} off, interleaved")
            timings: dict[bool, list[float]] = {True: [], False: []}
            for i in range(WARM_UP + loads):
                for on in ((True, False) if i % 2 else (False, True)):
                    settings.RECOMMENDER["IMPRESSIONS"] = on  # in place: no setting_changed per request
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200 or b'class="rail"' not in response.content:
                        raise RuntimeError(f"{url} answered {response.status_code} without a rail: nothing to measure")
                    if i >= WARM_UP:
                        timings[on].append(elapsed)
            on, off = _ms(timings[True]), _ms(timings[False])
            result[name] = {"on": on, "off": off, "p50_added_ms": round(on["p50_ms"] - off["p50_ms"], 3)}
        result.update(_hook(log=log))
        result.update(_flush(log=log))
        cache._cache.get_client(write=True).delete(KEY)
        return result


def _product_url(product_id: int) -> str:
    from shop.catalog.models import Product

    return Product.objects.get(pk=product_id).get_absolute_url()


def _hook(*, log, calls: int = 2000) -> dict:
    """impressions_record inside a request (what the page waits for) and the push after the response."""
    from recommender.impressions.recording import Shown, impressions_record, request_collect, request_push

    log(f"hook: impressions_record x {calls}")
    shown = [Shown(rail="for_you", product_ids=list(range(1000, 1008)), sources=["trending"] * 8)]
    in_request, pushed = [], []
    for _ in range(calls):
        request_collect(None)
        started = time.perf_counter()
        impressions_record(placement="home", shown=shown, user_id=None, session_key="bench-guest")
        middle = time.perf_counter()
        request_push(None)
        in_request.append((middle - started) * 1e6)
        pushed.append((time.perf_counter() - middle) * 1e6)
    in_request.sort()
    pushed.sort()
    return {"hook_p50_us": round(statistics.median(in_request), 1),
            "hook_p95_us": round(in_request[int(0.95 * calls)], 1),
            "push_after_response_p50_us": round(statistics.median(pushed), 1),
            "push_after_response_p95_us": round(pushed[int(0.95 * calls)], 1)}


def _flush(*, log) -> dict:
    from recommender.impressions.buffer import buffer_length, buffer_push
    from recommender.impressions.flush import impressions_flush

    entry = ["i", "0123456789abcdef", "home", "for_you", list(range(1000, 1008)), [9] * 8, None, "bench-guest",
             "blend", None, None, "", time.time()]
    for _ in range(FLUSH_ROWS // 1000):
        buffer_push([entry] * 1000)
    rows = buffer_length()
    log(f"flush: {rows:,} buffered impressions")
    started = time.perf_counter()
    report = impressions_flush()
    seconds = time.perf_counter() - started
    return {"flush_rows": report["impressions"], "flush_s": round(seconds, 3),
            "flush_rows_per_s": round(report["impressions"] / seconds)}
