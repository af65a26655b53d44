"""Experiment: HNSW over `vector` against HNSW over `halfvec`, side by side in one database and one run.

Run: .venv/bin/python manage.py shell -c "from benchmarks.halfvec_vs_vector import run; print(run())"
In: nothing (a scratch database on the embedded server, dropped at the end). Out: a dict per index type with
build seconds, index size in MB, query p50/p95 in ms and recall@10 against exact numpy neighbours, for the same
100k clustered 256-d unit vectors (the compact width the shop serves), the same 200 queries, queried in
alternation so both see the same machine load.
"""

from __future__ import annotations

import time

import numpy as np
import psycopg

from shop.core import embedded

N, DIM, QUERIES, K, EF = 100_000, 256, 200, 10, 40


def _vectors(rng) -> np.ndarray:
    centres = rng.standard_normal((500, DIM)).astype(np.float32)
    rows = centres[rng.integers(0, 500, N)] + 0.35 * rng.standard_normal((N, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def run(*, seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    vectors = _vectors(rng)
    url = embedded.postgres_url("bench_halfvec")
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        try:
            return _measure(conn, vectors, rng)
        finally:
            conn.execute("DROP TABLE IF EXISTS items")


def _measure(conn, vectors, rng) -> dict:
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    conn.execute("DROP TABLE IF EXISTS items")
    conn.execute(f"CREATE TABLE items (id int PRIMARY KEY, v vector({DIM}))")
    conn.execute("ALTER TABLE items ALTER COLUMN v SET STORAGE PLAIN")
    with conn.cursor().copy("COPY items (id, v) FROM STDIN") as copy:
        for i, row in enumerate(vectors):
            copy.write_row((i, "[" + ",".join(f"{x:.6g}" for x in row) + "]"))
    conn.execute("SET maintenance_work_mem = '1GB'")
    result = {}
    for kind in ("vector", "halfvec"):
        started = time.perf_counter()
        conn.execute(f"CREATE INDEX items_{kind} ON items USING hnsw ((v::{kind}({DIM})) {kind}_cosine_ops) "
                     "WITH (m = 16, ef_construction = 128)")
        size = conn.execute(f"SELECT pg_relation_size('items_{kind}')").fetchone()[0]
        result[kind] = {"build_s": round(time.perf_counter() - started, 1), "index_mb": round(size / 2**20, 1),
                        "times": [], "hits": 0}
    conn.execute(f"SET hnsw.ef_search = {EF}")
    picks = rng.choice(N, size=QUERIES + 50, replace=False)
    for n, index in enumerate(picks):
        query = "[" + ",".join(f"{x:.6g}" for x in vectors[index]) + "]"
        truth = set(np.argsort(-(vectors @ vectors[index]))[1:K + 1].tolist()) if n >= 50 else set()
        for kind in (("vector", "halfvec") if n % 2 else ("halfvec", "vector")):
            started = time.perf_counter()
            rows = conn.execute(
                f"SELECT id FROM items WHERE id <> %s ORDER BY (v::{kind}({DIM})) <=> %s::{kind}({DIM}) LIMIT {K}",
                [int(index), query]).fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            if n >= 50:  # the first 50 warm the indexes' pages
                result[kind]["times"].append(elapsed)
                result[kind]["hits"] += len(truth & {r[0] for r in rows})
    for kind, figures in result.items():
        times = np.array(figures.pop("times"))
        figures.update(p50_ms=round(float(np.percentile(times, 50)), 2), p95_ms=round(float(np.percentile(times, 95)), 2),
                       recall_at_10=round(figures.pop("hits") / (QUERIES * K), 3))
    return result
