"""A real Celery worker process for integration tests: same test database, same Redis, same media.

Started with `start_worker(settings)`; stopped (or SIGKILLed) by the test. The worker runs the
project's code unmodified: prefork pool, acks_late, the real encoder.
"""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

from django.db import connection

from shop.celery import app
from tests.conftest import REPO


def test_database_url() -> str:
    db = connection.settings_dict
    host = quote(db["HOST"] or "localhost", safe="")
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, settings, *, concurrency: int = 1, queues: tuple[str, ...] = ()):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shop.settings.test",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        self.concurrency = concurrency
        self.queues = queues  # () : every queue in CELERY_TASK_QUEUES
        self.process = None
        self.log = None

    def start(self, *, timeout: float = 90) -> "Worker":
        self.log = open(REPO / ".data" / f"test-worker-{os.getpid()}.log", "a+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shop", "worker", "-l", "info", "--pool=prefork",
             f"--concurrency={self.concurrency}", "--without-mingle", "--without-gossip",
             "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h", *(["-Q", ",".join(self.queues)] if self.queues else [])],
            cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.output()}")
            if "ready." in self.output():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children) as an OOM killer or a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log:
            self.log.close()


def purge_queue() -> None:
    app.control.purge()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.25, what: str = "condition"):
    """predicate()'s first truthy value, polled every `interval` s; AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not met within {timeout} s")
