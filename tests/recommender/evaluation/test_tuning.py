"""The weight search learns what the shop's own history says the learned sources are worth. No database: the
validation shoppers' inputs are built by hand, ranking is pure."""

from datetime import datetime, timezone

from recommender.evaluation.runner import Prepared
from recommender.evaluation.split import Split
from recommender.evaluation.tuning import grid_search
from recommender.ranking import Candidate, Placement, Request, Shopper, Source
from recommender.recommend.service import RecommendInputs
from tests.recommender.ranking.builders import catalogue, product

START = {"co_view": 1.2, "co_buy": 0.9, "profile": 0.8, "session": 0.7, "attribute": 0.3, "trending": 0.3,
         "visual": 0.25, "history": 0.0, "collab": 0.0}


def validation(*, history_on_targets: bool, shoppers: int = 30) -> Prepared:
    """Each shopper: 30 trending candidates, co-viewed ones; one of them viewed in an earlier visit and not bought.
    The held-out purchase is that viewed item (`history_on_targets`) or a trending one the history source missed."""
    facts = catalogue(*(product(pid) for pid in range(1, 31)))
    inputs, targets = {}, {}
    for user in range(1, shoppers + 1):
        viewed, other = 1 + (user * 7) % 30, 1 + (user * 11 + 5) % 30
        if other == viewed:
            other = 1 + other % 30
        candidates = [Candidate.from_source(pid, Source.TRENDING, 1.0 - pid / 40) for pid in range(1, 31)]
        candidates += [Candidate.from_source(pid, Source.CO_VIEW, 0.5, anchor_id=31) for pid in range(1, 6)]
        candidates.append(Candidate.from_source(viewed, Source.HISTORY, 0.8, label="last week"))
        inputs[user] = RecommendInputs(candidates=candidates, facts=facts, shopper=Shopper(),
                                       request=Request(placement=Placement.HOME, k=10))
        targets[user] = {viewed if history_on_targets else other}
    cuts = {user: datetime(2026, 11, 1, tzinfo=timezone.utc) for user in targets}
    return Prepared(split=Split(cuts, targets), inputs=inputs, catalogue_size=30, k=10)


def test_a_shop_whose_shoppers_buy_what_they_viewed_before_gets_a_history_weight():
    weights, score, log = grid_search(validation(history_on_targets=True), start=START)
    assert weights["history"] > 0
    assert any(line.startswith("history=0 collab=0") for line in log)
    assert score > float(next(line for line in log if line.startswith("history=0 collab=0")).split("=")[-1])


def test_a_shop_where_that_evidence_misleads_keeps_the_history_source_off():
    weights, _, _ = grid_search(validation(history_on_targets=False), start=START)
    assert weights["history"] == 0.0
