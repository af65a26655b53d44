"""Diagnose the learned ranker on one world: is the signal in the candidate pool, in the labels, in the features?

Run: .venv/bin/python manage.py shell -c "from benchmarks.ranker_diagnostics import run; print(run('demo'))"
(fashion5k: with VITRINE_DATABASE_NAME=vitrine_fashion5k and its own REDIS_URL db, as evaluate_world).

In: a world name, k, how many earlier periods, a seed. Out: a dict, all on the later period unless named:
- `recall`: share of held-out (shopper, product) pairs that any candidate reaches, before and after the filters,
  and per source (the source reached it at all; it is in that source's own top k after ranking by it alone);
- `pool`: mean candidates per request after the filters; `targets_per_shopper`;
- `train`: groups per depth, positives per group, rows per group;
- `history_features`: for the later period's filtered candidates, mean of views / days since view / carted for
  targets against the rest (is the "viewed before, not bought" evidence there, and does it separate?).
Everything runs inside `evaluation.cuts.periods` (rolled back): the shop is untouched.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from recommender.ranking.features import FEATURES


def run(world: str, *, k: int = 10, train_cuts: int = 3, seed: int = 7) -> dict:
    from benchmarks.worlds import world_shopper_ids
    from recommender.evaluation.cuts import periods
    from recommender.evaluation.learned import LEARNED_SOURCES

    users = world_shopper_ids(world)
    with periods(train_cuts=train_cuts, k=k, seed=seed, user_ids=users) as found:
        state = found.test
        pairs = 0
        reached_raw, reached_kept = 0, 0
        by_source: dict[str, int] = defaultdict(int)
        in_top: dict[str, int] = defaultdict(int)
        pool = []
        target_rows, other_rows = [], []
        for user, inputs in state.inputs.items():
            targets = state.split.targets[user]
            pairs += len(targets)
            raw = {c.product_id: c for c in inputs.candidates}
            kept, matrix = inputs.learned_matrix()
            kept_ids = [c.product_id for c in kept]
            pool.append(len(kept_ids))
            reached_raw += len(targets & set(raw))
            reached_kept += len(targets & set(kept_ids))
            for pid in targets & set(raw):
                for source in {e.source.value for e in raw[pid].evidence}:
                    by_source[source] += 1
            for name, weights in LEARNED_SOURCES.items():
                top = {r.product_id for r in inputs.ranked(dict(weights))}
                in_top[name] += len(targets & top)
            for i, pid in enumerate(kept_ids):
                (target_rows if pid in targets else other_rows).append(matrix[i])
        columns = ("views", "days_since_view", "carted_before", "score_history", "factor_score", "profile_cosine",
                   "affinity_category")
        at = {name: FEATURES.index(name) for name in columns}
        t, o = np.array(target_rows), np.array(other_rows)
        history = {name: {"targets": round(float(t[:, j].mean()), 4) if len(t) else None,
                          "others": round(float(o[:, j].mean()), 4) if len(o) else None,
                          "targets_nonzero": round(float((t[:, j] > 0).mean()), 3) if len(t) else None}
                   for name, j in at.items()}
        depth = defaultdict(list)
        for g in found.train:
            depth[g.depth].append(g)
        train = {d: {"groups": len(gs), "positives_per_group": round(float(np.mean([g.labels.sum() for g in gs])), 2),
                     "rows_per_group": round(float(np.mean([len(g.labels) for g in gs])), 1)}
                 for d, gs in sorted(depth.items())}
        result = {
            "world": world, "shoppers": len(state.split.cuts), "pairs": pairs,
            "targets_per_shopper": round(pairs / max(len(state.split.cuts), 1), 2),
            "recall": {"pool_raw": round(reached_raw / pairs, 3), "pool_filtered": round(reached_kept / pairs, 3),
                       "reached_by": {s: round(n / pairs, 3) for s, n in sorted(by_source.items())},
                       f"in_own_top_{k}": {s: round(n / pairs, 3) for s, n in in_top.items()}},
            "pool": round(float(np.mean(pool)), 1), "train": train, "train_periods": found.train_periods,
            "history_features": history,
        }
    return result
