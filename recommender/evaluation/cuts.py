"""Periods for the learned ranker: the later period it is measured on, and earlier ones it is fitted on.

In: how many earlier periods to fit on (`train_cuts`), k, an optional shopper filter (a world's shoppers). Out,
inside a rolled-back transaction (the shop is untouched): `Periods(test, train)`:
- `test`: a `State`: every shopper's latest buying session held out (the later period), the behaviour signals
  rebuilt and the factor model fitted on what is left, and each shopper's home request gathered as of the start
  of that session (`recommend_inputs(now=cut, learned=True)`: every source, history and collab included);
- `train`: `Group`s from the buying sessions before it, one period deeper each time (the session before the held-out
  one, then the one before that...), each gathered the same way with signals and factors refitted on only what came
  before it. A group = one shopper's filtered candidates, their feature matrix and labels (1 = carted or bought in
  that session). Groups with no positive are left out: they teach a ranking loss nothing.
So the model never sees an item of the later period, nor a factor trained on one; each deeper period is nested in a
savepoint and undone before the next is read. `earlier` keeps each earlier period's requests (plain data);
`validation` is the depth-1 one (the session just before the later one), on which a linear blend can be tuned as
honestly as the ranker's hyper-parameters are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.core.cache import cache

from recommender.behaviour.services import signals_rebuild
from recommender.collaborative.data import factors_fit_on_log
from recommender.collaborative.factors import FactorModel
from recommender.evaluation.runner import rolled_back
from recommender.evaluation.split import Split, split_compute, split_hide
from recommender.recommend.ranker import Served, models_override
from recommender.ranking import Placement
from recommender.recommend.service import RecommendInputs, recommend_inputs


@dataclass
class State:
    split: Split
    inputs: dict[int, RecommendInputs]  # user id -> the home request's inputs as of their cut
    factors: FactorModel | None

    @property
    def period(self) -> dict[str, str]:
        cuts = sorted(self.split.cuts.values())
        return {"from": cuts[0].isoformat(), "to": cuts[-1].isoformat()} if cuts else {}


@dataclass
class Group:
    user_id: int
    product_ids: list[int]
    matrix: np.ndarray
    labels: np.ndarray
    depth: int = 1  # 1 = the buying session just before the later period, 2 = the one before that...


@dataclass
class Periods:
    test: State
    train: list[Group] = field(default_factory=list)
    train_shoppers: int = 0  # shoppers with at least one training group
    train_periods: list[dict] = field(default_factory=list)
    earlier: dict[int, State] = field(default_factory=dict)  # depth -> that period's requests (plain data)

    @property
    def validation(self) -> State | None:
        """The depth-1 period (the session just before the later one), for tuning a blend on it."""
        return self.earlier.get(1)


def groups_of(state: State, *, depth: int = 1) -> list[Group]:
    found = []
    for user_id, inputs in sorted(state.inputs.items()):
        kept, matrix = inputs.learned_matrix()
        targets = state.split.targets[user_id]
        labels = np.array([1.0 if c.product_id in targets else 0.0 for c in kept], dtype=np.float32)
        if labels.any():
            found.append(Group(user_id, [c.product_id for c in kept], matrix, labels, depth))
    return found


def earlier_groups(earlier: dict[int, State]) -> list[Group]:
    """Every earlier period's training groups, shallowest period first (recomputed from its requests)."""
    return [g for depth, state in sorted(earlier.items()) for g in groups_of(state, depth=depth)]


def state_read(split: Split, *, k: int, seed: int, progress: Callable[[str, float], None], step: str) -> State:
    """Signals and factors from what is visible now, then every split shopper's home inputs as of their cut."""
    signals_rebuild()
    cache.clear()
    now = max(split.cuts.values()) if split.cuts else None
    factors = factors_fit_on_log(now=now, seed=seed)
    users = get_user_model().objects.in_bulk(list(split.cuts))
    inputs = {}
    with models_override(Served(version_id=None, factors=factors, ranker=None)):
        for n, user_id in enumerate(sorted(split.cuts)):
            inputs[user_id] = recommend_inputs(placement=Placement.HOME, user=users[user_id], k=k,
                                               now=split.cuts[user_id], learned=True, merchandised=False)
            if n % 25 == 0:
                progress(step, n / max(len(split.cuts), 1))
    return State(split=split, inputs=inputs, factors=factors)


def _restrict(split: Split, user_ids: set[int] | None, limit: int | None, *, seed: int) -> Split:
    """The split's shoppers among `user_ids`; at most `limit` of them, a sample fixed by the seed."""
    kept = sorted(u for u in split.cuts if user_ids is None or u in user_ids)
    if limit is not None and len(kept) > limit:
        kept = sorted(np.random.default_rng(seed).choice(kept, size=limit, replace=False).tolist())
    return Split({u: split.cuts[u] for u in kept}, {u: split.targets[u] for u in kept})


@contextmanager
def periods(*, train_cuts: int = 2, k: int = 10, seed: int = 7, user_ids: set[int] | None = None,
            max_shoppers: int | None = None, progress: Callable[[str, float], None] | None = None
            ) -> Iterator[Periods]:
    progress = progress or (lambda step, fraction: None)
    with rolled_back():
        test = _restrict(split_compute(), user_ids, max_shoppers, seed=seed)
        split_hide(test)
        result = Periods(test=state_read(test, k=k, seed=seed, progress=progress, step="later period"))
        shoppers: set[int] = set()

        def deeper(users: list[int], depth: int) -> None:
            if depth > train_cuts or not users:
                return
            with rolled_back():
                held = split_compute(user_ids=users)
                split_hide(held)
                if not held.cuts:
                    return
                state = state_read(held, k=k, seed=seed, progress=progress, step=f"earlier period {depth}")
                groups = groups_of(state, depth=depth)
                result.earlier[depth] = state
                result.train.extend(groups)
                shoppers.update(g.user_id for g in groups)
                result.train_periods.append({**state.period, "shoppers": len(held.cuts), "groups": len(groups)})
                deeper(sorted(held.cuts), depth + 1)

        deeper(sorted(test.cuts), 1)
        result.train_shoppers = len(shoppers)
        yield result
