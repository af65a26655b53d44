"""Run the whole shop in one terminal: web server, Celery workers and Celery beat.

Three worker pools, so a large import never delays what shoppers wait for: `images` and `text`
(embeddings, `--concurrency` processes), `feeds` (a shopper's next page, one process) and everything
else (`signals`: rebuilds, evaluation, training; and the default queue; one process).

The embedded PostgreSQL and Redis (when DATABASE_URL / REDIS_URL are unset) are started here,
once, and passed to the children as URLs, so no child owns a server. Ctrl-C (or SIGTERM)
stops every child's process group, then the servers: nothing is left behind.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from shop.core import embedded


class Command(BaseCommand):
    help = "Run web (runserver), Celery workers (one pool per kind of work) and Celery beat until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, addr, concurrency, **options):
        env = dict(os.environ, DATABASE_URL=self._database_url(), REDIS_URL=settings.CELERY_BROKER_URL)
        python = sys.executable
        # Each pool process runs the image encoder with its own threads: share the cores out
        # rather than let two pools of threads fight over them.
        worker_env = dict(env, OMP_NUM_THREADS=str(max(1, (os.cpu_count() or 1) // concurrency)))
        celery = [python, "-m", "celery", "-A", "shop"]
        commands = {
            "web": [python, "manage.py", "runserver", addr],
            "worker-embeddings": [*celery, "worker", "-l", "info", "-Q", "images,text", "-n", "embeddings@%h",
                                  f"--concurrency={concurrency}"],
            "worker-feeds": [*celery, "worker", "-l", "info", "-Q", "feeds", "-n", "feeds@%h", "--concurrency=1"],
            "worker-signals": [*celery, "worker", "-l", "info", "-Q", "signals,celery", "-n", "signals@%h",
                               "--concurrency=1"],
            "beat": [*celery, "beat", "-l", "info"],
        }
        children = {
            name: subprocess.Popen(
                cmd, env=worker_env if name.startswith("worker") else env, cwd=settings.BASE_DIR,
                start_new_session=True,
            )
            for name, cmd in commands.items()
        }
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(self.style.SUCCESS(f"Vitrine is running on http://{addr}/ (admin: http://{addr}/admin/)"))
        self.stdout.write("Press Ctrl-C to stop web, worker and beat.")
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with code {child.returncode}; stopping the others.")
                        stopping = True
                time.sleep(0.5)
        finally:
            self._stop(children)

    def _database_url(self) -> str:
        db = settings.DATABASES["default"]
        if "DATABASE_URL" in os.environ:
            return os.environ["DATABASE_URL"]
        return embedded.postgres_url(db["NAME"])

    def _stop(self, children):
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        # Stragglers in a child's group (the autoreloader's server, prefork pool) go too.
        for child in children.values():
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.stdout.write("Stopped.")
