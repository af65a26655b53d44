"""Reasons: one per item, from its strongest weighted evidence."""

import pytest

from recommender.ranking import Candidate, Source, blend, explain, merge

from .builders import WEIGHTS, catalogue, counted, product, visual

FACTS = catalogue(product(1, name="Black Denim Jacket"), product(2), product(3))


def reason(candidates, weights=WEIGHTS, facts=FACTS):
    (scored,) = blend(merge(candidates), weights=weights)
    return explain(scored, facts=facts)


def reasons(candidates, weights):
    return {s.product_id: explain(s, facts=FACTS) for s in blend(merge(candidates), weights=weights)}


def test_each_item_carries_the_reason_of_its_strongest_evidence():
    candidates = [
        visual(2, 0.3, anchor=1),
        counted("co_buy", 2, 0.55, anchor=1),
        counted("co_buy", 3, 0.9, anchor=4),
        counted("trending", 2, 50, label="Jackets"),
    ]
    # co_buy 0.9 * 0.55 beats trending 0.3 * 1.0 and visual 1.0 * 0.3
    ranked = reasons(candidates, WEIGHTS)
    assert ranked[2].source is Source.CO_BUY
    assert ranked[2].reason == "Often bought with Black Denim Jacket"
    assert ranked[3].reason == "Often bought together"  # anchor 4 is unknown: no name to show
    ranked = reasons(candidates, {**WEIGHTS, "trending": 1})
    assert ranked[2].reason == "Trending in Jackets"
    assert ranked[2].anchor_id is None
    ranked = reasons(candidates, {**WEIGHTS, "visual": 9})
    assert ranked[2].reason == "Looks like Black Denim Jacket"
    assert ranked[2].anchor_id == 1


@pytest.mark.parametrize(
    "source,score,expected",
    [
        ("visual", 0.9, "Looks like Black Denim Jacket"),
        ("co_buy", 0.3, "Often bought with Black Denim Jacket"),
        ("co_view", 0.3, "Customers who viewed Black Denim Jacket also viewed this"),
        ("profile", 0.8, "Because you liked Black Denim Jacket"),
        ("session", 0.8, "Because you viewed Black Denim Jacket"),
    ],
)
def test_every_anchored_source_names_its_anchor(source, score, expected):
    assert reason([Candidate.from_source(2, source, score, anchor_id=1)]).reason == expected


@pytest.mark.parametrize(
    "source,score,label,expected",
    [
        ("trending", 9, "Sneakers", "Trending in Sneakers"),
        ("trending", 9, None, "Trending now"),
        ("attribute", 0.7, "Denim", "In your favourite Denim"),
        ("attribute", 0.7, None, "Matches your preferences"),
        ("profile", 0.7, None, "Matches your style"),
        ("visual", 0.7, None, "Similar look"),
    ],
)
def test_anchorless_evidence_gets_a_label_or_the_general_reason(source, score, label, expected):
    assert reason([Candidate.from_source(2, source, score, label=label)]).reason == expected


def test_the_name_carried_by_the_evidence_wins_over_the_facts():
    assert reason([visual(2, 0.9, anchor=1, name="Jacket (old name)")]).reason == "Looks like Jacket (old name)"


def test_an_anchor_of_unknown_name_never_shows_an_id():
    ranked = reason([visual(2, 0.9, anchor=999)])
    assert ranked.reason == "Similar look"
    assert ranked.anchor_id is None


def test_among_several_liked_items_the_reason_names_the_closest():
    candidates = [
        Candidate.from_source(2, "profile", 0.6, anchor_id=3, anchor_name="Grey Hoodie"),
        Candidate.from_source(2, "profile", 0.9, anchor_id=1, anchor_name="Black Denim Jacket"),
    ]
    assert reason(candidates).reason == "Because you liked Black Denim Jacket"


def test_equally_strong_reasons_prefer_the_more_specific_source():
    candidates = [visual(2, 1.0, anchor=1), counted("trending", 2, 10, label="Jackets")]
    assert reason(candidates, weights={"visual": 1.0, "trending": 1.0}).source is Source.VISUAL


def test_a_reason_naming_the_shoppers_product_wins_over_a_somewhat_stronger_generic_one():
    candidates = [counted("attribute", 2, 1.0, label="Jackets"), visual(2, 0.7, anchor=1)]
    named = reason(candidates, weights={"attribute": 1.0, "visual": 1.0})
    assert named.reason == "Looks like Black Denim Jacket" and named.anchor_id == 1
    generic = reason(candidates, weights={"attribute": 1.0, "visual": 0.4})  # 0.28 < half of 1.0
    assert generic.reason == "In your favourite Jackets"
