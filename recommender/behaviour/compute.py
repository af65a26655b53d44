"""Behaviour maths on plain arrays: no ORM, no settings (the caller passes every knob).

In: `Events`, parallel numpy arrays, one entry per interaction: shopper (flag, key), product id,
kind code, unix seconds, weight. Out: top-k neighbour triples (product, neighbour, score in 0..1)
and per-product decayed scores.

Neighbours. Events are grouped into baskets: one shopper's events sorted by time, a new basket after
a pause longer than `gap_seconds` (a browsing session for co-viewed; days of carts and purchases
for co-bought). B[basket, item] = 1 when the item is in the basket, and each basket is weighted by
w = 2^(-age / half_life) at its last event. With c_ij = sum_b w_b B_bi B_bj and n_i = c_ii:

    score_ij = c_ij / sqrt(n_i n_j)  x  c_ij / (c_ij + shrink)

Why cosine: raw co-counts rank the best-seller first for every item (it is in every basket);
lift (c_ij N / n_i n_j) overcorrects, so a rare item seen once beside another tops the list; Jaccard
behaves like cosine but penalises the pair with lopsided counts harder, which sinks good
complements of popular items. Cosine divides by the geometric mean of both items' counts: a
best-seller must co-occur in proportion to its size to rank. The shrink factor pulls pairs with
little (decayed) evidence towards 0, since cosine alone gives 1.0 to two items seen once, together.

Popularity. score_i = sum over i's events of weight x 2^(-age / half_life), divided by the maximum
over products (1 = the top product). A short half-life makes it "trending", a long one "popular".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

GUEST, USER, ANONYMOUS = 0, 1, 2  # shopper flags; anonymous events have no shopper and no basket


@dataclass
class Events:
    flag: np.ndarray  # int8: USER, GUEST or ANONYMOUS
    shopper: np.ndarray  # int64: user id, or a 64-bit hash of the guest's session key
    product: np.ndarray  # int64 product ids
    kind: np.ndarray  # int8 codes, see KIND_CODES in services
    at: np.ndarray  # int64 unix seconds
    weight: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.product)


@dataclass
class Neighbours:
    product: np.ndarray  # int64
    neighbour: np.ndarray  # int64
    score: np.ndarray  # float64 in 0..1

    def __len__(self) -> int:
        return len(self.product)


def decay(ages_seconds: np.ndarray, half_life_seconds: float) -> np.ndarray:
    return np.exp2(-np.maximum(ages_seconds, 0) / half_life_seconds)


def baskets(events: Events, mask: np.ndarray, *, gap_seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(event indices, basket number per index, last time per basket) for the masked events of known shoppers."""
    idx = np.flatnonzero(mask & (events.flag != ANONYMOUS))
    idx = idx[np.lexsort((events.at[idx], events.shopper[idx], events.flag[idx]))]
    flag, shopper, at = events.flag[idx], events.shopper[idx], events.at[idx]
    new = np.ones(len(idx), dtype=bool)
    new[1:] = (flag[1:] != flag[:-1]) | (shopper[1:] != shopper[:-1]) | (at[1:] - at[:-1] > gap_seconds)
    basket = np.cumsum(new) - 1
    ends = np.append(np.flatnonzero(new)[1:], len(idx)) - 1
    return idx, basket, at[ends] if len(idx) else np.empty(0, dtype=np.int64)


def co_occurrence(
    events: Events, mask: np.ndarray, *, now: float, gap_seconds: float, half_life_seconds: float,
    shrink: float, k: int, max_basket: int,
) -> Neighbours:
    idx, basket, last = baskets(events, mask, gap_seconds=gap_seconds)
    if not len(idx):
        return Neighbours(*(np.empty(0, dtype=t) for t in (np.int64, np.int64, np.float64)))
    products, item = np.unique(events.product[idx], return_inverse=True)
    b = sparse.csr_matrix((np.ones(len(idx)), (basket, item)), shape=(len(last), len(products)))
    b.sum_duplicates()
    b.data[:] = 1.0  # presence: viewing an item five times in one session is one co-occurrence
    sizes = np.diff(b.indptr)
    w = decay(now - last, half_life_seconds) * (sizes <= max_basket)
    c = (b.T @ sparse.diags(w) @ b).tocoo()
    counts = np.zeros(len(products))
    diagonal = c.row == c.col
    counts[c.row[diagonal]] = c.data[diagonal]
    keep = ~diagonal & (c.data > 0)
    rows, cols, together = c.row[keep], c.col[keep], c.data[keep]
    score = together / np.sqrt(counts[rows] * counts[cols]) * (together / (together + shrink))
    # Top k per row without a Python loop: sort by (row, -score), rank within the row.
    order = np.lexsort((cols, -score, rows))
    rows, cols, score = rows[order], cols[order], score[order]
    starts = np.searchsorted(rows, rows, side="left")
    top = (np.arange(len(rows)) - starts) < k
    return Neighbours(products[rows[top]], products[cols[top]], np.minimum(score[top], 1.0))


def decayed_scores(events: Events, *, now: float, half_life_seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """(product ids, score in 0..1 scaled so the top product is 1)."""
    products, item = np.unique(events.product, return_inverse=True)
    scores = np.bincount(item, weights=events.weight * decay(now - events.at, half_life_seconds),
                         minlength=len(products))
    top = scores.max() if len(scores) else 0.0
    return products, scores / top if top > 0 else scores
