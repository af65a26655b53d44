"""A real streaming replica of a private PostgreSQL, made with the embedded server's own binaries.

In: a `tests.chaos.harness.Postgres` (a private primary: wal_level replica and a `local replication` trust
line, as initdb leaves them) and a folder. Out: `StreamingReplica`: `pg_basebackup -R` from the primary's
Unix socket into the folder, started by `pg_ctl` on a socket and port of its own; WAL replay can be paused
(a replica that lags, on demand) and resumed, and the server stopped and started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
import requests

from tests.chaos.harness import Postgres, Redis, Shop, free_port
from tests.worker import wait_for


class StreamingReplica:
    def __init__(self, primary: Postgres, root: Path):
        self.primary = primary
        self.pgdata = root / "replica"
        self.port = free_port()
        self._bin = Path(primary.server.bin_path)
        self._user = primary.server.system_user
        os.chmod(root, 0o755)  # the server's own user (pgserver's, when we are root) writes below it
        self.pgdata.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, user=self._user)
        self._run("pg_basebackup", "-h", str(primary.socket_dir), "-p", str(primary.port), "-U", "postgres",
                  "-D", str(self.pgdata), "-R", "-X", "stream", "-c", "fast")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        user = {"user": self._user} if os.geteuid() == 0 else {}
        result = subprocess.run([str(self._bin / tool), *args], capture_output=True, text=True, timeout=120, **user)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}\n{result.stderr}")

    def url(self, database: str) -> str:
        return f"postgres://postgres@{quote(str(self.pgdata), safe='')}:{self.port}/{database}"

    def start(self) -> None:
        # Its own socket (in its data folder) and port; small buffers, the primary's other settings (a hot
        # standby needs max_connections at least the primary's).
        options = f"-h '' -k {self.pgdata} -p {self.port} -c shared_buffers=32MB"
        self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "-l", str(self.pgdata / "log"),
                  "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", "fast", "stop")

    def running(self) -> bool:
        user = {"user": self._user} if os.geteuid() == 0 else {}
        return subprocess.run([str(self._bin / "pg_ctl"), "-D", str(self.pgdata), "status"], capture_output=True,
                              timeout=10, **user).returncode == 0

    def sql(self, query: str, database: str = "postgres") -> list[tuple]:
        with psycopg.connect(host=str(self.pgdata), port=self.port, user="postgres", dbname=database,
                             autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(query)
            return cursor.fetchall() if cursor.description else []

    def pause_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        if self.sql("SELECT pg_is_wal_replay_paused()")[0][0]:
            self.sql("SELECT pg_wal_replay_resume()")

    def catch_up(self, *, timeout: float = 30) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        target = self.primary.scalar("postgres", "SELECT pg_current_wal_lsn()::text")
        wait_for(lambda: self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0][0],
                 timeout=timeout, interval=0.05, what="the replica catching up")

    def is_streaming(self) -> bool:
        rows = self.primary.sql("postgres", "SELECT state FROM pg_stat_replication")
        return any(state == "streaming" for (state,) in rows)

    def close(self) -> None:
        if self.pgdata.exists() and self.running():
            self.stop()
        shutil.rmtree(self.pgdata, ignore_errors=True)


def wait_until_streaming(replica: StreamingReplica, *, timeout: float = 30) -> float:
    started = time.monotonic()
    wait_for(replica.is_streaming, timeout=timeout, interval=0.1, what="the replica streaming from the primary")
    return time.monotonic() - started


@dataclass
class ShopWithEnv(Shop):
    """The harness's Shop, its processes started with extra environment variables."""

    extra_env: dict = field(default_factory=dict)

    @property
    def env(self) -> dict:
        return {**super().env, **self.extra_env}


class ReplicatedShop:
    """The shop's web process (gunicorn) on a private primary, reading from a streaming replica of it.

    In: a folder. Out: `.primary` (a migrated database `shop` with a seed catalogue), `.replica`, `.web.base`
    (the server's URL), `.seed` (what the seed printed). `close()` stops everything it started.
    """

    DATABASE = "shop"

    def __init__(self, root: Path, *, seed_script: str, pin_seconds: float):
        self.root = root
        try:
            self._start(seed_script=seed_script, pin_seconds=pin_seconds)
        except BaseException:
            self.close()  # what started before the failure must not outlive it
            raise

    def _start(self, *, seed_script: str, pin_seconds: float) -> None:
        self.primary = Postgres(self.root)
        self.redis = Redis(self.root)
        self.redis.start()
        self.primary.create_database(self.DATABASE)
        self.shop = ShopWithEnv(postgres=self.primary, redis=self.redis, database=self.DATABASE, root=self.root)
        self.shop.manage("migrate", "--noinput")
        self.seed = self.shop.manage("shell", "-c", seed_script).strip().splitlines()[-1]
        self.replica = StreamingReplica(self.primary, self.root)
        wait_until_streaming(self.replica)
        self.replica.catch_up()
        self.shop.extra_env = {"DATABASE_REPLICA_URL": self.replica.url(self.DATABASE),
                               "DATABASE_REPLICA_PIN_SECONDS": str(pin_seconds)}
        self.web = self.shop.web(workers=1, threads=2)
        # The web process builds its search models in a thread as it starts (recommender.search.preload): wait for
        # them (a search by words needs the text model), so the tests' requests time the shop, not its start-up.
        for path in ("/", "/search/?q=warm"):
            requests.get(self.web.base + path, timeout=300).raise_for_status()

    def close(self) -> None:
        for name in ("shop", "replica", "redis", "primary"):  # the web process first, the primary last
            part = getattr(self, name, None)
            if part is None:
                continue
            try:
                part.close()
            except Exception:  # one part that failed to stop must not keep the others running
                pass
