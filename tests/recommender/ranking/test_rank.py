"""The entry point end to end: cold start, determinism, and filters that hold on any input."""

import ast
import random
from pathlib import Path

import numpy as np

from recommender import ranking
from recommender.ranking import Candidate, Request, Shopper, Source, rank

from .builders import GUEST, WEIGHTS, catalogue, counted, on, product, visual


def test_a_new_product_gets_visual_neighbours():
    # Product 1 was added an hour ago: no one has viewed or bought it, but its image has a vector.
    facts = catalogue(product(1, name="Linen Shirt"), *(product(p, category_id=p % 3) for p in range(2, 8)))
    candidates = [visual(p, 0.9 - p / 100, anchor=1, name="Linen Shirt") for p in range(2, 8)]
    request = on("product", k=4, anchor_ids=frozenset({1}))
    ranked = rank(candidates, facts=facts, shopper=GUEST, request=request, weights=WEIGHTS)
    assert len(ranked) == 4
    assert all(r.source is Source.VISUAL and r.reason == "Looks like Linen Shirt" for r in ranked)


def test_a_new_product_shows_under_the_products_it_looks_like():
    facts = catalogue(product(1, name="Old Favourite"), product(2), product(9, name="Brand New"))
    candidates = [counted("co_buy", 2, 0.4, anchor=1), counted("co_view", 2, 0.6, anchor=1), visual(9, 0.93, anchor=1)]
    request = on("product", anchor_ids=frozenset({1}))
    ranked = rank(candidates, facts=facts, shopper=GUEST, request=request, weights=WEIGHTS)
    assert {r.product_id for r in ranked} == {2, 9}


def test_a_new_guest_gets_trending():
    facts = catalogue(*(product(p, category_id=p % 4, category_name=f"Category {p % 4}") for p in range(1, 21)))
    candidates = [counted("trending", p, 100 - p, label="Tshirts") for p in range(1, 21)]
    ranked = rank(candidates, facts=facts, shopper=Shopper(), request=on("home", k=8), weights=WEIGHTS)
    assert len(ranked) == 8
    assert all(r.reason == "Trending in Tshirts" for r in ranked)
    assert len({facts[r.product_id].category_id for r in ranked}) == 4  # diversified across categories


def test_a_new_guest_gets_trending_plus_their_session():
    facts = catalogue(*(product(p, category_id=p % 3) for p in range(1, 21)), product(50, name="Red Sneaker"))
    guest = Shopper(recently_viewed_ids=frozenset({50}))
    candidates = [counted("trending", p, 100 - p) for p in range(1, 21)] + [counted("trending", 50, 500)]
    candidates += [Candidate.from_source(p, "session", 0.85, anchor_id=50) for p in (7, 8)]
    ranked = rank(candidates, facts=facts, shopper=guest, request=on("home", k=6), weights=WEIGHTS)
    reasons = {r.product_id: r.reason for r in ranked}
    assert 50 not in reasons  # just viewed: "for you" does not replay it
    assert reasons[7] == reasons[8] == "Because you viewed Red Sneaker"
    assert "Trending now" in reasons.values()


def test_cart_suggestions_never_repeat_the_cart():
    facts = catalogue(*(product(p) for p in range(1, 10)))
    cart = frozenset({1, 2})
    candidates = [counted("co_buy", p, 0.5, anchor=a) for a in cart for p in range(1, 10)]
    ranked = rank(candidates, facts=facts, shopper=GUEST, request=on("cart", anchor_ids=cart), weights=WEIGHTS)
    assert not cart & {r.product_id for r in ranked}
    assert len(ranked) == 7


def test_ranking_is_deterministic():
    rng = random.Random(7)
    facts, candidates, _, _ = random_case(rng)
    request = on("home", k=10)
    first = rank(candidates, facts=facts, shopper=GUEST, request=request, weights=WEIGHTS)
    for _ in range(5):
        rng.shuffle(candidates)
        assert rank(candidates, facts=facts, shopper=GUEST, request=request, weights=WEIGHTS) == first


def random_case(rng: random.Random):
    sizes = ["XS", "S", "M", "L", "XL"]
    facts = {}
    for pid in range(1, 61):
        facts[pid] = product(
            pid,
            category_id=rng.randrange(5),
            price=round(rng.uniform(5, 200), 2),
            active=rng.random() > 0.1,
            sizes=tuple(s for s in sizes if rng.random() > 0.5),
            size_type=rng.choice(["tops", "bottoms", None]),
            colour=rng.choice(["Black", "Blue", ""]),
            vector=np.array([rng.gauss(0, 1) for _ in range(8)]) if rng.random() > 0.3 else None,
        )
    candidates = []
    for _ in range(150):
        source = rng.choice(list(Source))
        pid = rng.randrange(1, 66)  # a few ids have no facts: deleted products
        score = rng.uniform(0, 50) if source.is_relative else rng.uniform(source.lowest, 1)
        candidates.append(Candidate.from_source(pid, source, score, anchor_id=rng.choice([None, rng.randrange(1, 61)])))
    shopper = Shopper(
        sizes={"tops": frozenset(rng.sample(sizes, rng.randrange(0, 3)))},
        bought_ids=frozenset(rng.sample(range(1, 61), 8)),
        recently_viewed_ids=frozenset(rng.sample(range(1, 61), 8)),
    )
    low = rng.choice([None, rng.uniform(0, 80)])
    request = Request(
        placement=rng.choice(["home", "product", "cart", "search"]),
        k=rng.randrange(1, 20),
        anchor_ids=frozenset(rng.sample(range(1, 61), rng.randrange(0, 4))),
        category_ids=rng.choice([None, frozenset(rng.sample(range(5), 3))]),
        price_min=low,
        price_max=rng.choice([None, (low or 0) + rng.uniform(20, 150)]),
        size=rng.choice([None, None, "M"]),
    )
    return facts, candidates, shopper, request


def test_filters_always_hold_on_random_inputs():
    rng = random.Random(20240501)
    for _ in range(300):
        facts, candidates, shopper, request = random_case(rng)
        weights = {s.value: rng.choice([0.0, rng.uniform(0.1, 2)]) for s in Source} | {"visual": 1.0}
        mmr_lambda = rng.random()
        ranked = rank(candidates, facts=facts, shopper=shopper, request=request, weights=weights, mmr_lambda=mmr_lambda)
        ids = [r.product_id for r in ranked]
        assert len(ids) == len(set(ids)) <= request.k
        for r in ranked:
            f = facts[r.product_id]
            assert f.active and f.sizes_in_stock
            wanted = {request.size} if request.size else shopper.sizes.get(f.size_type or "", set())
            assert f.size_type is None or not wanted or wanted & f.sizes_in_stock
            assert request.price_min is None or f.price >= request.price_min
            assert request.price_max is None or f.price <= request.price_max
            assert request.category_ids is None or f.category_id in request.category_ids
            assert r.product_id not in request.anchor_ids
            assert request.placement == "search" or r.product_id not in shopper.bought_ids
            assert request.placement != "home" or r.product_id not in shopper.recently_viewed_ids
            assert 0 <= r.score <= 1 + 1e-9 and r.reason


def test_ranking_imports_neither_django_nor_the_settings():
    package = Path(ranking.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            assert not any(n.split(".")[0] in {"django", "recommender", "shop"} for n in names), module.name
