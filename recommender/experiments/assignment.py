"""Which arm a shopper is in: a deterministic hash of the experiment and the shopper. Pure: no Django.

In: the experiment's id, the shopper id ("u<user id>" or "s<guest session key>", as recommender.interactions.versions names them)
and the arms' (name, share in percent) in a fixed order. Out: the arm's name, or None (the shopper is in the
part of the traffic the shares leave out, or has no id). The same inputs always give the same arm, on any
process or machine: sha256 of "experiment:shopper" read as an integer, taken modulo BUCKETS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

BUCKETS = 10_000  # shares are percentages: 100 buckets per percent


def bucket_of(*, experiment_id: int, shopper: str) -> int:
    digest = hashlib.sha256(f"{experiment_id}:{shopper}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def arm_of(*, experiment_id: int, shopper: str | None, arms: Sequence[tuple[str, int]]) -> str | None:
    if not shopper:
        return None
    bucket = bucket_of(experiment_id=experiment_id, shopper=shopper)
    edge = 0
    for name, share in arms:
        edge += share * BUCKETS // 100
        if bucket < edge:
            return name
    return None
