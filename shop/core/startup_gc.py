"""Keep the objects a process builds at start-up out of the garbage collector's full passes.

A web process holds a few hundred thousand long-lived objects once Django, DRF, NumPy, LightGBM and the search
models are loaded. CPython's oldest-generation collection walks every one of them, about 120 ms each time on
these cores, and it falls on whichever request happens to allocate then: measured on the computed home feed, five
such passes in 60 feeds made most of its p95 (docs/benchmarks.md, 2026-12-02 fifth stop). `gc.freeze()` moves the
objects alive now into a permanent generation the collector never walks; garbage made later is collected as
before. What is frozen is never freed, so it is called once start-up is done, not per request.

`startup_objects_freeze()` is called where a serving process has finished loading: `shop.wsgi` once the
application is built (before gunicorn forks its workers under `--preload`, which also keeps the pages shared),
and by whatever builds more long-lived state afterwards (the search models' preload thread).
"""

from __future__ import annotations

import gc


def startup_objects_freeze() -> int:
    """Collect what is already garbage, then freeze the rest; returns how many objects are frozen now."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
