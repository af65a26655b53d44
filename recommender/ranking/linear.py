"""A linear learned ranker: one weight per feature over clipped, standardised columns. Pure (numpy).

In: a feature matrix over `features.FEATURES` columns. Out: `predict(matrix)` -> one raw score per row (higher is
better), the same duck type as a LightGBM booster, so `ranking.learned` runs either.
`model_to_string()` / `LinearRanker.from_text(text)`: JSON, what a `RankerVersion` stores; `importance()`: each
feature's share of |weight| (on standardised columns, so the shares compare).

Why a linear model beside the trees: a shop's first months give a few hundred training sessions. On both evaluation
worlds the trees fitted on them ranked the next period worse than the linear blend (docs/learned-ranking.md), and a
regularised linear ranker on the same features did not. `recommender.learning.ltr` chooses between them on earlier
periods only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KIND = "vitrine-linear-ranker"


@dataclass(frozen=True)
class LinearRanker:
    features: tuple[str, ...]
    weights: np.ndarray  # per feature, on standardised columns
    low: np.ndarray  # columns are clipped to [low, high] (the training rows' 1st and 99th percentiles) ...
    high: np.ndarray
    mean: np.ndarray  # ... then standardised
    scale: np.ndarray
    regularisation: float = 0.0

    def standardise(self, matrix) -> np.ndarray:
        x = np.clip(np.asarray(matrix, dtype=np.float64), self.low, self.high)
        return (x - self.mean) / self.scale

    def predict(self, matrix) -> np.ndarray:
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.shape[0] == 0:
            return np.zeros(0)
        if matrix.shape[1] != len(self.features):
            raise ValueError(f"the linear ranker expects {len(self.features)} feature columns, got {matrix.shape[1]}")
        return self.standardise(matrix) @ self.weights

    def importance(self) -> dict[str, float]:
        size = np.abs(self.weights)
        total = float(size.sum()) or 1.0
        pairs = sorted(zip(self.features, size), key=lambda kv: -kv[1])
        return {name: round(float(value) / total, 4) for name, value in pairs if value > 0}

    def model_to_string(self) -> str:
        return json.dumps({"kind": KIND, "features": list(self.features), "regularisation": self.regularisation,
                           **{name: getattr(self, name).tolist() for name in ("weights", "low", "high", "mean",
                                                                               "scale")}})

    @classmethod
    def from_text(cls, text: str) -> LinearRanker:
        data = json.loads(text)
        if data.get("kind") != KIND:
            raise ValueError("not a linear ranker")
        arrays = {name: np.asarray(data[name], dtype=np.float64) for name in ("weights", "low", "high", "mean",
                                                                              "scale")}
        return cls(features=tuple(data["features"]), regularisation=float(data.get("regularisation", 0.0)), **arrays)


def is_linear_text(text: str) -> bool:
    return text.lstrip().startswith("{")


def standardisation(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, mean, scale) of training rows: 1st/99th percentiles, then the clipped columns' mean and sd."""
    rows = np.asarray(matrix, dtype=np.float64)
    low, high = np.percentile(rows, 1, axis=0), np.percentile(rows, 99, axis=0)
    clipped = np.clip(rows, low, high)
    scale = clipped.std(axis=0)
    scale[scale < 1e-9] = 1.0  # a constant column: its weight stays 0 under the penalty
    return low, high, clipped.mean(axis=0), scale


def linear_ranker(features: Sequence[str], weights, stats, *, regularisation: float) -> LinearRanker:
    low, high, mean, scale = stats
    return LinearRanker(tuple(features), np.asarray(weights, dtype=np.float64), low, high, mean, scale,
                        float(regularisation))
