"""Gather a world's periods once and keep them on disk, so the ranker can be studied without the database.

Run: .venv/bin/python manage.py shell -c "from benchmarks.ranker_periods import save; save('demo', '/tmp/p.pkl')"
In: a world name, a path, train_cuts, k, seed. Out: a pickle of {"test": State, "earlier": {depth: State},
"catalogue": active products}: every request's candidates, facts and learned-ranking context as plain data (what
`evaluation.cuts.periods` gathers inside its rolled-back transaction). `load(path)` reads it back; `groups(found,
depth)` recomputes a period's training groups from its requests, so feature changes need no new gathering.
"""

from __future__ import annotations

import pickle


def save(world: str, path: str, *, train_cuts: int = 3, k: int = 10, seed: int = 7) -> dict:
    from benchmarks.worlds import world_shopper_ids
    from recommender.evaluation.cuts import periods
    from shop.catalog.models import Product

    catalogue = Product.objects.filter(is_active=True).count()
    with periods(train_cuts=train_cuts, k=k, seed=seed, user_ids=world_shopper_ids(world)) as found:
        data = {"test": found.test, "earlier": dict(found.earlier), "catalogue": catalogue,
                "train_periods": found.train_periods}
    for state in [data["test"], *data["earlier"].values()]:
        state.factors = None  # refitted per period; the requests already hold what it gave
    with open(path, "wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"shoppers": len(data["test"].split.cuts), "earlier": {d: len(s.split.cuts) for d, s in data["earlier"].items()}}


# Periods saved before the re-layer and merchandising: the inputs' class by its former module, and product facts
# without the fields merchandising added (their state is the old fields' values in order).
MOVED = {("recommender.services", "RecommendInputs"): ("recommender.recommend.service", "RecommendInputs")}
OLD_FACTS = ("product_id", "name", "category_id", "category_name", "price", "active", "sizes_in_stock", "size_type",
             "colour", "brand", "vector")


class _SavedFacts:
    def __setstate__(self, state):
        self.state = state


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("recommender.ranking.candidates", "ProductFacts"):
            return _SavedFacts
        return super().find_class(*MOVED.get((module, name), (module, name)))


def load(path: str) -> dict:
    with open(path, "rb") as f:
        data = _Unpickler(f).load()
    for state in [data["test"], *data["earlier"].values()]:
        for inputs in state.inputs.values():
            inputs.facts = {pid: _facts(f) if isinstance(f, _SavedFacts) else f for pid, f in inputs.facts.items()}
    return data


def _facts(saved: _SavedFacts):
    """ProductFacts from its pickled state: today's fields in order, or the former fields (periods saved before
    merchandising added some)."""
    from dataclasses import fields

    from recommender.ranking.candidates import ProductFacts

    names = [f.name for f in fields(ProductFacts)]
    state = list(saved.state)
    return ProductFacts(**dict(zip(names if len(state) == len(names) else OLD_FACTS, state)))


def groups(data: dict) -> list:
    from recommender.evaluation.cuts import earlier_groups

    return earlier_groups(data["earlier"])


def figures(path: str, *, k: int = 10, seed: int = 7) -> dict:
    """`evaluation.learned.learned_figures` on saved periods, with the blend weights the database serves."""
    from recommender.evaluation.learned import learned_figures
    from recommender.evaluation.service import weight_sets

    data = load(path)
    return learned_figures(test=data["test"], validation=data["earlier"].get(1), earlier=data["earlier"], k=k,
                           weights=weight_sets(), catalogue=data["catalogue"], seed=seed)
