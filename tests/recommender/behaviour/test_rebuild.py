"""Rebuilds: readers see the old or the new complete set, one rebuild at a time, the log, the command."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections

from recommender.behaviour import services
from recommender.behaviour.selectors import co_occurring, trending
from recommender.behaviour.services import signals_rebuild
from recommender.models import NeighbourKind, SignalRebuild
from tests.factories import ProductFactory

from .conftest import order


def read_from_another_connection(product_ids):
    def read():
        try:
            neighbours = co_occurring(product_ids=product_ids, kind=NeighbourKind.CO_BOUGHT, k=50)
            return {pid: len(found) for pid, found in neighbours.items()}, len(trending(k=50))
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(read).result()


@pytest.mark.django_db(transaction=True)
def test_a_reader_during_a_rebuild_sees_the_old_complete_set_until_the_flip(now, monkeypatch):
    products = [ProductFactory() for _ in range(6)]
    ids = [p.pk for p in products]
    order(shopper="first", products=products[:3], at=now)
    signals_rebuild(now=now)
    old = read_from_another_connection(ids)
    assert old == ({**dict.fromkeys(ids[:3], 2), **dict.fromkeys(ids[3:], 0)}, 3)

    order(shopper="second", products=products, at=now + timedelta(seconds=1))
    seen, copy_rows = [], services._copy_rows

    def copy_then_look(*args, **kwargs):
        copy_rows(*args, **kwargs)  # committed, but not yet the live generation
        seen.append(read_from_another_connection(ids))

    monkeypatch.setattr(services, "_copy_rows", copy_then_look)
    signals_rebuild(now=now + timedelta(seconds=2))
    assert seen and all(view == old for view in seen)
    assert read_from_another_connection(ids) == (dict.fromkeys(ids, 5), 6)


@pytest.mark.django_db(transaction=True)
def test_a_second_rebuild_does_not_start_while_one_holds_the_lock(now):
    ProductFactory()
    other = connection.copy()  # a second session, as another worker would have
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [services._LOCK_KEY])
            assert signals_rebuild(now=now) is None
            cursor.execute("SELECT pg_advisory_unlock(%s)", [services._LOCK_KEY])
        assert signals_rebuild(now=now) is not None
    finally:
        other.close()


@pytest.mark.django_db
def test_each_rebuild_is_logged_for_the_health_dashboard(now):
    a, b = ProductFactory(), ProductFactory()
    order(shopper="s", products=[a, b], at=now)
    log = signals_rebuild(now=now)
    row = SignalRebuild.objects.get()
    assert (row.kind, row.events, row.pairs, row.products, row.generation) == ("full", 2, 4, 2, log.generation)
    assert row.finished_at is not None and row.seconds >= 0 and row.error == ""


@pytest.mark.django_db
def test_the_command_rebuilds_and_skips_when_nothing_changed(now, capsys):
    order(shopper="s", products=[ProductFactory(), ProductFactory()], at=now)
    call_command("rebuild_signals", verbosity=0)
    assert "generation 1: 2 events, 4 neighbour pairs, 2 products" in capsys.readouterr().out
    call_command("rebuild_signals", verbosity=0)
    assert "nothing to do" in capsys.readouterr().out
    call_command("rebuild_signals", "--full", verbosity=0)
    assert "generation 2" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_beat_task_runs_the_rebuild(now):
    from recommender.tasks import rebuild_signals_task

    order(shopper="s", products=[ProductFactory(), ProductFactory()], at=now)
    assert rebuild_signals_task.apply(kwargs={"full": True}).get()["events"] == 2
