"""Measure how deep the shop's own HNSW index must look: the shallowest `hnsw.ef_search` at which the look-alike
statement that serves finds RECOMMENDER["HNSW_TARGET_RECALL"] of each sampled product's true k nearest.

In: a cursor inside the transaction that has just written and indexed `encoder`'s vectors, the product ids and
their vectors (the rows just written, in the same order). Out: {"ef_search", "target_recall", "reached",
"recall_at_10" {depth: share}, "queries", "seconds"}, or None when the catalogue is too small to measure (fewer
than k + 2 products), the encoder has no HNSW index (too wide: searched exactly) or the planner would not walk it.

The truth is exact cosine over every vector, in blocks of BLOCK_ROWS (bounded memory at a million products); the
sample is seeded, so a refit of the same catalogue measures the same products. Depths are tried shallowest first
from the configured one (DEPTHS) and the first that reaches the target is kept; none reaching it keeps the deepest.
"""

from __future__ import annotations

import time

import numpy as np

from recommender.conf import recommender_setting
from recommender.vectors.bulk import index_exists, index_name
from recommender.vectors.codec import EF_SEARCH_MAX, ef_search_sql
from recommender.vectors.lookalikes import lookalike_params, lookalike_rows, lookalike_sql

K = 10
DEPTHS = (40, 60, 80, 120, 160, 240, 320, 480, 640, EF_SEARCH_MAX)
BLOCK_ROWS = 100_000
SEED = 0


def ef_search_calibrate(cursor, *, encoder: str, product_ids: np.ndarray, vectors: np.ndarray,
                        queries: int | None = None, target: float | None = None) -> dict | None:
    started = time.perf_counter()
    ids = np.asarray(product_ids, dtype=np.int64)
    if len(ids) < K + 2:
        return None
    if not index_exists(cursor, encoder=encoder):
        return None
    # The rows were just written: without fresh statistics the planner thinks the encoder has none and sorts them
    # all exactly (measured: 4 s for 200 anchors at 20k), which would measure exact search, not the index.
    cursor.execute("ANALYZE recommender_productembedding")
    # A small catalogue may be cheaper to sort than to walk: measure the index all the same (serving may sort it
    # exactly, which finds every neighbour), so the depth is the index's whatever the planner prefers today.
    # (An error below aborts the caller's transaction, which undoes the SET LOCAL with everything else.)
    cursor.execute("SET LOCAL enable_sort = off")
    found = None
    if _walks_the_index(cursor, encoder=encoder, dim=vectors.shape[1], anchor=int(ids[0])):
        found = _measure(cursor, encoder=encoder, ids=ids, vectors=vectors, queries=queries, target=target,
                         started=started)
    cursor.execute("SET LOCAL enable_sort = on")
    return found


def _measure(cursor, *, encoder, ids, vectors, queries, target, started) -> dict:
    queries = int(recommender_setting("HNSW_CALIBRATION_QUERIES")) if queries is None else queries
    target = float(recommender_setting("HNSW_TARGET_RECALL")) if target is None else target
    sample = np.sort(np.random.default_rng(SEED).choice(len(ids), size=min(queries, len(ids)), replace=False))
    truth = exact_nearest(vectors, sample, k=K)
    anchors = {int(ids[row]): {int(ids[j]) for j in truth[i]} for i, row in enumerate(sample)}
    configured = int(recommender_setting("HNSW_EF_SEARCH"))
    recall: dict[str, float] = {}
    chosen = None
    for depth in sorted({configured, *(d for d in DEPTHS if d > configured)}):
        cursor.execute(ef_search_sql(depth))
        found: dict[int, set[int]] = {anchor: set() for anchor in anchors}
        for anchor, pid, _ in lookalike_rows(cursor, encoder=encoder, dim=vectors.shape[1], ids=list(anchors), k=K):
            found[anchor].add(pid)
        share = sum(len(found[a] & anchors[a]) for a in anchors) / (K * len(anchors))
        recall[str(depth)] = round(share, 4)
        chosen = depth
        if share >= target:
            break
    return {"ef_search": chosen, "target_recall": target, "reached": recall[str(chosen)] >= target,
            "recall_at_10": recall, "queries": len(anchors), "seconds": round(time.perf_counter() - started, 1)}


def _walks_the_index(cursor, *, encoder: str, dim: int, anchor: int) -> bool:
    statement = lookalike_sql(dim)
    cursor.execute(f"EXPLAIN {statement}", lookalike_params(encoder=encoder, ids=[anchor], k=K))
    plan = "\n".join(row[0] for row in cursor.fetchall())
    return index_name(encoder) in plan


def exact_nearest(vectors: np.ndarray, rows: np.ndarray, *, k: int) -> np.ndarray:
    """[len(rows), k] row indices of each sampled row's k nearest by cosine, itself left out."""
    query = _unit(vectors[rows])
    best_scores = np.empty((len(rows), 0), dtype=np.float32)
    best_index = np.empty((len(rows), 0), dtype=np.int64)
    for start in range(0, len(vectors), BLOCK_ROWS):
        scores = query @ _unit(vectors[start:start + BLOCK_ROWS]).T  # [queries, block]
        own = (rows >= start) & (rows < start + scores.shape[1])
        scores[np.flatnonzero(own), rows[own] - start] = -np.inf
        top = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, axis=1)], axis=1)
        best_index = np.concatenate([best_index, top + start], axis=1)
        keep = np.argsort(-best_scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(best_scores, keep, axis=1)
        best_index = np.take_along_axis(best_index, keep, axis=1)
    return best_index


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)
