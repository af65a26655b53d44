"""Fixtures for the fault scenarios: one PostgreSQL and one Redis for the whole chaos run (dedicated,
never the ones other tests use), a migrated template database with a 500-product demo catalogue, and a
`shop` per scenario on its own copy of that database."""

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.chaos.harness import REPO, Postgres, Redis, Shop, become_subreaper, reap_orphans

TEMPLATE = "chaos_template"
CATALOGUE = 500  # products, one rendered photo each


@pytest.fixture(scope="session")
def chaos_root():
    parent = REPO / ".data" / "chaos"
    parent.mkdir(parents=True, exist_ok=True)
    root = tempfile.mkdtemp(prefix="run-", dir=parent)
    become_subreaper()
    yield Path(root)
    reap_orphans()
    shutil.rmtree(root, ignore_errors=True)
    try:
        parent.rmdir()  # only when no other chaos run is using it
    except OSError:
        pass


@pytest.fixture(scope="session")
def postgres(chaos_root):
    server = Postgres(chaos_root)
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis(chaos_root):
    server = Redis(chaos_root)
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def template(postgres, redis, chaos_root):
    """Migrated, with the demo catalogue (500 products and photos, no vectors yet), made once per run."""
    started = time.monotonic()
    postgres.create_database(TEMPLATE)
    builder = Shop(postgres=postgres, redis=redis, database=TEMPLATE, root=chaos_root)
    builder.manage("migrate", "--noinput")
    builder.manage("demo_data", "--products", str(CATALOGUE), "--shoppers", "0", "--seed", "11")
    print(f"\nchaos template: migrated, {CATALOGUE} demo products in {time.monotonic() - started:.1f} s")
    return TEMPLATE


@pytest.fixture
def shop(request, postgres, redis, template, chaos_root):
    """A fresh copy of the template database, an empty Redis; every process it started is stopped after."""
    name = f"chaos_{request.node.name.removeprefix('test_')[:40]}"
    if redis.process is None or redis.process.poll() is not None:
        redis.start()  # a scenario that failed half-way may have left it stopped
    if not postgres.running():
        postgres.start()
    redis.flush()
    postgres.create_database(name, template=template)
    running = Shop(postgres=postgres, redis=redis, database=name, root=chaos_root)
    yield running
    running.close()
    # The processes' logs outlive the run's folder, for a look after a failure.
    logs = REPO / "test-artifacts" / "chaos" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for process in running.processes:
        shutil.copy(process.log_path, logs / process.log_path.name)


_FIGURES: dict[str, dict] = {}


@pytest.fixture
def figures(request):
    """What a scenario measured: printed at the end of the run and kept in test-artifacts/chaos/<test>.json."""
    measured: dict = {}
    yield measured
    _FIGURES[request.node.name] = measured
    folder = REPO / "test-artifacts" / "chaos"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{request.node.name}.json").write_text(json.dumps(measured, indent=2) + "\n")


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("chaos figures")
        for name, measured in _FIGURES.items():
            terminalreporter.write_line(f"{name}: {json.dumps(measured)}")
