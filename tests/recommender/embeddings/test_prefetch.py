"""prefetch.ahead: the next items' work runs on a thread while the caller handles the current one."""

import threading
import time

import pytest

from recommender.embeddings.prefetch import ahead


def test_results_come_back_in_order_of_the_items():
    assert list(ahead(range(7), lambda n: n * n)) == [0, 1, 4, 9, 16, 25, 36]


def test_the_next_item_is_worked_on_while_the_caller_is_busy_with_this_one():
    started = {}

    def work(n):
        started[n] = time.monotonic()
        return n

    results = ahead(range(3), work, depth=1)
    assert next(results) == 0
    handed_over = time.monotonic()
    time.sleep(0.2)  # the caller's own work on item 0 (the model's forward pass)
    assert next(results) == 1
    assert started[1] < handed_over + 0.1, "item 1 waited for the caller instead of being prepared beside it"
    assert list(results) == [2]


def test_the_work_runs_off_the_callers_thread():
    threads = set(ahead(range(3), lambda n: threading.get_ident()))
    assert threading.get_ident() not in threads


def test_a_failure_surfaces_at_its_own_item():
    def work(n):
        if n == 2:
            raise ValueError("item 2 is bad")
        return n

    results = ahead(range(4), work)
    assert [next(results), next(results)] == [0, 1]
    with pytest.raises(ValueError, match="item 2"):
        next(results)
