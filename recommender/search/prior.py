"""The predicted category and department as a soft prior on photo-search ranking (pure, no ORM).

In: candidates (key, cosine similarity), nearest first; the trained encoder's predictions for the query photo
({"category": probabilities [n, C], "names": C category names, optionally "department" [n, D] and
"department_names"}), the query's row ``index``; each candidate's category and department name (indexable by key).
Out: the candidates re-ordered by similarity + weight x (p(candidate's category) + p(candidate's department) / 2).

Soft: a close look-alike of another category still outranks a distant product of the predicted one; a confident
prediction only breaks near-ties. The weight was fixed before measuring (never tuned on shopper-photos/validation);
docs/encoder-training.md has the figures with and without it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PRIOR_WEIGHT = 0.1


def prior_rerank(candidates: Sequence[tuple[int, float]], *, predicted: dict, index: int, categories,
                 departments=None, weight: float = PRIOR_WEIGHT) -> list[tuple[int, float]]:
    if not candidates or weight <= 0 or predicted is None:
        return list(candidates)
    p_category = dict(zip(predicted["names"], np.asarray(predicted["category"][index], dtype=np.float64).tolist()))
    p_department = {}
    if departments is not None and "department" in predicted:
        p_department = dict(zip(predicted["department_names"],
                                np.asarray(predicted["department"][index], dtype=np.float64).tolist()))

    def score(candidate: tuple[int, float]) -> float:
        key, similarity = candidate
        bonus = p_category.get(categories[key], 0.0)
        if p_department:
            bonus += 0.5 * p_department.get(departments[key], 0.0)
        return similarity + weight * bonus

    return sorted(candidates, key=lambda candidate: -score(candidate))
