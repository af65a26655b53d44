"""A trained factor model as plain numpy: item factors, fold-in of any shopper's history, nearest items. Pure.

In: item factors [n items, f] (float32) keyed by product id, the regularisation they were trained with. Out:
- `fold_in(weights)`: the factors of a shopper from their {product id: confidence}, by the same least-squares
  step ALS takes for a user (u = (YᵀY + λI + Σ (c_i - 1) y_i y_iᵀ)⁻¹ Σ c_i y_i), so a guest or a brand-new
  account gets factors from what they did this visit, and a known shopper's are always up to date: no user factors
  are stored at all;
- `scores(user)` over all items, `top(user, k, exclude)` the best (product id, score) pairs, score > 0.
`to_bytes` / `from_bytes`: an .npz blob (what the model version row stores).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np


@dataclass
class FactorModel:
    product_ids: np.ndarray  # int64 [n], ascending
    factors: np.ndarray  # float32 [n, f]
    regularization: float
    from_vectors: np.ndarray | None = None  # bool [n]: factors mapped from image/attribute vectors (no interactions)
    _yty: np.ndarray | None = field(default=None, repr=False)
    _index: dict[int, int] | None = field(default=None, repr=False)

    @property
    def index(self) -> dict[int, int]:
        if self._index is None:
            self._index = {int(pid): i for i, pid in enumerate(self.product_ids.tolist())}
        return self._index

    @property
    def yty(self) -> np.ndarray:
        if self._yty is None:
            y = self.factors.astype(np.float64)
            self._yty = y.T @ y
        return self._yty

    def fold_in(self, weights: Mapping[int, float]) -> np.ndarray | None:
        rows = [(self.index[pid], c) for pid, c in weights.items() if pid in self.index and c > 0]
        if not rows:
            return None
        idx = np.array([i for i, _ in rows])
        c = np.array([c for _, c in rows], dtype=np.float64)
        y = self.factors[idx].astype(np.float64)
        a = self.yty + self.regularization * np.eye(self.factors.shape[1]) + (y.T * (c - 1.0)) @ y
        return np.linalg.solve(a, y.T @ c).astype(np.float32)

    def scores(self, user: np.ndarray) -> np.ndarray:
        return self.factors @ user

    def score_of(self, user: np.ndarray | None, product_ids: Iterable[int]) -> dict[int, float]:
        if user is None:
            return {}
        found = [(pid, self.index[pid]) for pid in product_ids if pid in self.index]
        if not found:
            return {}
        values = self.factors[[i for _, i in found]] @ user
        return {pid: float(v) for (pid, _), v in zip(found, values)}

    def top(self, user: np.ndarray | None, *, k: int, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        if user is None or not len(self.product_ids):
            return []
        scores = self.scores(user).astype(np.float64)
        for pid in exclude:
            i = self.index.get(pid)
            if i is not None:
                scores[i] = -np.inf
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.lexsort((self.product_ids[best], -scores[best]))]
        return [(int(self.product_ids[i]), float(scores[i])) for i in best if scores[i] > 0]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(buffer, product_ids=self.product_ids, factors=self.factors,
                 regularization=np.array(self.regularization),
                 from_vectors=self.from_vectors if self.from_vectors is not None else np.zeros(0, bool))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> FactorModel:
        with np.load(io.BytesIO(bytes(blob))) as data:
            from_vectors = data["from_vectors"]
            return cls(product_ids=data["product_ids"].astype(np.int64), factors=data["factors"].astype(np.float32),
                       regularization=float(data["regularization"]),
                       from_vectors=from_vectors if len(from_vectors) else None)
