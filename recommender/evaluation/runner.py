"""Run an offline evaluation: split, hide, rebuild, recommend, score, all inside a rolled-back transaction.

In: k, named weight sets for the hybrid blend, which split ("test" or "validation"). Out: a plain dict:
{"k", "split", "shoppers", "held_out", "sources": {name: metrics}, "hybrid": metrics, "hybrid_<label>": ...,
"hybrid_merchandised": the first blend with the staff's merchandising rules}; every other list is ranked without them
with metrics as in `recommender.evaluation.metrics.summarise`.

How it stays honest: the held-out interactions are deleted, the behaviour signals are rebuilt from what is left
(`signals_rebuild` runs in-process, inside the transaction), profiles are read from what is left, and everything is
rolled back at the end, so the shop is untouched. For "validation", the test split is hidden first and the session
before it is held out, so weights tuned there never saw a test item.

One `recommend_inputs` call per shopper (the home "for you" request: every source's candidates, facts, filters);
each single source is the same request ranked with only that source switched on, so sources and blend are
compared on exactly the same candidates and filters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from recommender.behaviour.services import signals_rebuild
from recommender.evaluation.metrics import summarise
from recommender.evaluation.split import Split, split_compute, split_hide
from recommender.ranking import Placement
from recommender.recommend.service import RecommendInputs, recommend_inputs
from shop.catalog.models import Product

# Each single-source baseline: the weights that switch only it on.
SINGLE_SOURCES: Mapping[str, dict[str, float]] = {
    "popularity": {"trending": 1.0},
    "visual": {"visual": 1.0, "session": 1.0},  # looks like what they liked / viewed
    "co_view": {"co_view": 1.0},
    "co_buy": {"co_buy": 1.0},
    "profile": {"profile": 1.0},
}


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything done inside is undone at the end, success or not."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass
    finally:
        cache.clear()  # cached serving encoder / rails may have seen the hidden state


@dataclass
class Prepared:
    split: Split
    inputs: dict[int, RecommendInputs]  # user id -> the home request's inputs
    catalogue_size: int
    k: int

    def lists(self, weights: Mapping[str, float], *, steered: bool = False) -> dict[int, list[int]]:
        """Each shopper's list for these weights; `steered`: with the staff's merchandising rules applied."""
        return {user: [item.product_id for item in inputs.ranking(dict(weights), steered=steered).items]
                for user, inputs in self.inputs.items()}

    def score(self, weights: Mapping[str, float], *, diversity: bool = True, steered: bool = False
              ) -> dict[str, float]:
        vectors = None
        if diversity:
            vectors = {pid: fact.vector for inputs in self.inputs.values() for pid, fact in inputs.facts.items()
                       if fact.vector is not None}
        return summarise(self.lists(weights, steered=steered), self.split.targets, k=self.k,
                         catalogue_size=self.catalogue_size, vectors=vectors)


@contextmanager
def prepared(*, k: int = 10, split: str = "test", max_shoppers: int | None = None,
             progress: Callable[[str, float], None] | None = None, user_ids: set[int] | None = None
             ) -> Iterator[Prepared]:
    """Inside a rolled-back transaction: hide the held-out part, rebuild signals, gather every shopper's inputs."""
    progress = progress or (lambda step, fraction: None)
    if split not in ("test", "validation"):
        raise ValueError(f"split must be 'test' or 'validation', got {split!r}")
    with rolled_back():
        cache.clear()
        progress("split", 0.0)
        held = split_compute()
        if user_ids is not None:
            held = Split({u: c for u, c in held.cuts.items() if u in user_ids},
                         {u: t for u, t in held.targets.items() if u in user_ids})
        split_hide(held)
        if split == "validation":
            held = split_compute(user_ids=list(held.cuts))
            split_hide(held)
        if max_shoppers is not None:
            kept = sorted(held.cuts)[:max_shoppers]
            held = Split({u: held.cuts[u] for u in kept}, {u: held.targets[u] for u in kept})
        progress("signals", 0.05)
        signals_rebuild()
        cache.clear()
        users = get_user_model().objects.in_bulk(list(held.cuts))
        inputs = {}
        for n, user_id in enumerate(sorted(held.cuts)):
            inputs[user_id] = recommend_inputs(placement=Placement.HOME, user=users[user_id], k=k, history=True)
            if n % 20 == 0:
                progress("recommend", 0.1 + 0.8 * n / max(len(held.cuts), 1))
        yield Prepared(split=held, inputs=inputs, catalogue_size=Product.objects.filter(is_active=True).count(), k=k)


def evaluate(*, k: int = 10, weights: Mapping[str, Mapping[str, float]], split: str = "test",
             max_shoppers: int | None = None, progress: Callable[[str, float], None] | None = None,
             user_ids: set[int] | None = None) -> dict:
    """`weights`: label -> weight set; the first is reported as "hybrid", each as "hybrid_<label>"."""
    with prepared(k=k, split=split, max_shoppers=max_shoppers, progress=progress, user_ids=user_ids) as ready:
        sources = {name: ready.score(w) for name, w in SINGLE_SOURCES.items()}
        blends = {label: ready.score(w) for label, w in weights.items()}
        first = next(iter(blends))
        # The first blend again with the staff's rules: what merchandising costs or gains on held-out purchases.
        merchandised = ready.score(weights[first], steered=True)
        rules = sum(1 for inputs in ready.inputs.values() if inputs.rules is not None and inputs.rules.rules)
    result = {"k": k, "split": split, "shoppers": len(ready.split.cuts), "held_out": ready.split.held_out_pairs,
              "catalogue": ready.catalogue_size, "sources": {**sources, "hybrid": blends[first]},
              "weights": {label: dict(w) for label, w in weights.items()}}
    for label, metrics in blends.items():
        result["sources"][f"hybrid_{label}"] = metrics
    result["sources"]["hybrid_merchandised"] = merchandised
    result["merchandising"] = {"shoppers_with_rules": rules,
                               "ndcg_with_vs_without": round(merchandised["ndcg"] / blends[first]["ndcg"], 3)
                               if blends[first]["ndcg"] else None}
    best_single = max(m["ndcg"] for m in sources.values())
    result["hybrid_vs_best_single"] = round(blends[first]["ndcg"] / best_single, 3) if best_single else None
    return result
