"""Start-up's objects are frozen out of the garbage collector's full passes, in a fresh interpreter each time
(freezing the test process itself would keep every test's objects alive to the end of the run)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings.test"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_the_wsgi_application_freezes_what_start_up_built():
    frozen, unfrozen_left = _python("""
        import gc
        import shop.wsgi
        print(gc.get_freeze_count(), sum(gc.get_count()))
    """).split()
    # Django, DRF, the shop's and the recommender's modules: far more than a bare interpreter's few thousand.
    assert int(frozen) > 50_000
    assert int(unfrozen_left) < 1_000


def test_garbage_is_still_collected_before_and_after_the_freeze():
    assert _python("""
        import gc, weakref
        from shop.core.startup_gc import startup_objects_freeze

        class Node:
            pass

        def cycle():
            node = Node()
            node.self = node
            return weakref.ref(node)

        before = cycle()  # garbage already at start-up: collected, not frozen
        kept = [[i] for i in range(20_000)]
        frozen = startup_objects_freeze()
        after = cycle()  # garbage made while serving: the collector still finds it
        gc.collect()
        print(before() is None, after() is None, frozen >= 20_000, gc.get_freeze_count() == frozen)
    """) == "True True True True"
