"""Staff rules in the pure ranking: pins, boosts and buries, exclusions, complements, validity and conflicts."""

from datetime import datetime, timedelta, timezone

import pytest

from recommender.ranking import rank
from recommender.ranking.rank import rank_steered
from recommender.ranking.rule_conflicts import conflicts
from recommender.ranking.rules import PICKED_REASON, Condition, Rule, Rules

from .builders import GUEST, WEIGHTS, catalogue, on, product, visual

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def world(n=10, **overrides):
    facts = catalogue(product(1, name="Anchor"), *(product(p, category_id=p % 3, brand="Acme" if p % 2 else "Zed",
                                                            **overrides.get(p, {})) for p in range(2, n + 2)))
    candidates = [visual(p, 0.95 - p / 100, anchor=1) for p in range(2, n + 2)]
    return facts, candidates


def ranked_ids(facts, candidates, rules, *, k=6, placement="product"):
    request = on(placement, k=k, anchor_ids=frozenset({1}))
    return [r.product_id for r in rank(candidates, facts=facts, shopper=GUEST, request=request, weights=WEIGHTS,
                                       mmr_lambda=1.0, rules=rules)]


def with_rules(*rules, now=NOW, rail=None):
    return Rules(tuple(rules), now=now, rail=rail, anchor_ids=frozenset({1}))


def test_no_rules_rank_exactly_as_before():
    facts, candidates = world()
    assert ranked_ids(facts, candidates, None) == ranked_ids(facts, candidates, with_rules()) == [2, 3, 4, 5, 6, 7]


def test_a_pin_shows_at_its_position_with_the_stylists_reason():
    facts, candidates = world()
    ranking = rank_steered(candidates, facts=facts, shopper=GUEST, weights=WEIGHTS, mmr_lambda=1.0,
                           request=on("product", k=6, anchor_ids=frozenset({1})),
                           rules=with_rules(Rule(1, "pin", product_id=11, position=2)))
    assert [r.product_id for r in ranking.items] == [2, 11, 3, 4, 5, 6]
    pinned = ranking.items[1]
    assert pinned.reason == PICKED_REASON and pinned.picked and pinned.rule_ids == (1,)
    assert any(e.what == "pinned at 2" for e in ranking.effects)


def test_a_pin_outside_the_candidates_still_shows():
    facts, candidates = world()
    facts[99] = product(99, name="New collection")
    assert ranked_ids(facts, candidates, with_rules(Rule(1, "pin", product_id=99, position=1)))[0] == 99


def test_an_out_of_stock_pin_is_skipped_not_shown():
    facts, candidates = world(overrides={})
    facts[99] = product(99, sizes=())
    ranking = rank_steered(candidates, facts=facts, shopper=GUEST, weights=WEIGHTS, mmr_lambda=1.0,
                           request=on("product", k=6, anchor_ids=frozenset({1})),
                           rules=with_rules(Rule(1, "pin", product_id=99, position=1)))
    assert 99 not in [r.product_id for r in ranking.items] and len(ranking.items) == 6
    assert [e.what for e in ranking.effects] == ["skipped: out of stock"]


def test_a_pin_never_breaks_the_price_filter():
    facts, candidates = world()
    facts[99] = product(99, price=500.0)
    request = on("product", k=6, anchor_ids=frozenset({1}), price_max=100.0)
    items = rank(candidates, facts=facts, shopper=GUEST, request=request, weights=WEIGHTS,
                 rules=with_rules(Rule(1, "pin", product_id=99, position=1)))
    assert 99 not in [r.product_id for r in items]


def test_an_exclusion_removes_a_brand_even_when_pinned():
    facts, candidates = world()
    rules = with_rules(Rule(1, "exclude", condition=Condition(brand="acme")),
                       Rule(2, "pin", product_id=3, position=1, priority=10))
    ids = ranked_ids(facts, candidates, rules, k=10)
    assert ids and all(facts[p].brand != "Acme" for p in ids)


def test_a_boost_lifts_and_a_bury_lowers_and_scores_stay_in_range():
    facts, candidates = world()
    boosted = rank(candidates, facts=facts, shopper=GUEST, request=on("product", k=6, anchor_ids=frozenset({1})),
                   weights=WEIGHTS, mmr_lambda=1.0,
                   rules=with_rules(Rule(1, "boost", factor=3.0, condition=Condition(product_ids=frozenset({9})))))
    assert boosted[0].product_id == 9 and boosted[0].rule_ids == (1,)
    assert all(0.0 <= r.score <= 1.0 for r in boosted)
    buried = ranked_ids(facts, candidates, with_rules(Rule(1, "boost", factor=0.01,
                                                           condition=Condition(product_ids=frozenset({2})))))
    assert 2 not in buried


def test_a_campaign_stops_at_its_end_time():
    facts, candidates = world()
    pin = Rule(1, "pin", product_id=11, position=1, starts_at=NOW - timedelta(days=1), ends_at=NOW)
    assert ranked_ids(facts, candidates, with_rules(pin, now=NOW - timedelta(seconds=1)))[0] == 11
    assert ranked_ids(facts, candidates, with_rules(pin, now=NOW))[0] != 11


def test_the_stronger_pin_wins_a_position_and_the_other_moves_down():
    facts, candidates = world()
    rules = with_rules(Rule(1, "pin", product_id=10, position=1), Rule(2, "pin", product_id=11, position=1, priority=5))
    assert ranked_ids(facts, candidates, rules)[:2] == [11, 10]


def test_complements_come_first_then_the_chosen_number_of_automatic_items():
    facts, candidates = world()
    rules = with_rules(Rule(1, "complements", anchor_id=1, picks=(9, 8, 7), fill=2, rail="bought_together"),
                       rail="bought_together")
    ids = ranked_ids(facts, candidates, rules, k=8)
    assert ids == [9, 8, 7, 2, 3]
    whole = ranked_ids(facts, candidates, with_rules(*rules.rules), k=8)  # the API's one list keeps its length
    assert whole[:3] == [9, 8, 7] and len(whole) == 8


def test_a_rail_rule_stays_on_its_rail_and_a_scoped_rule_on_its_anchor():
    facts, candidates = world()
    pin = Rule(1, "pin", product_id=11, position=1, rail="bought_together")
    assert ranked_ids(facts, candidates, with_rules(pin, rail="looks_like"))[0] != 11
    assert ranked_ids(facts, candidates, with_rules(pin, rail="bought_together"))[0] == 11
    assert ranked_ids(facts, candidates, with_rules(pin))[0] == 11  # the whole placement: the API's list
    elsewhere = Rule(2, "pin", product_id=11, position=1, anchor_id=555)
    assert ranked_ids(facts, candidates, with_rules(elsewhere))[0] != 11


def test_conditions_match_category_subtree_department_price_new_arrivals_and_attributes():
    fact = product(5, category_id=7, price=40.0)
    fact = type(fact)(**{**{f: getattr(fact, f) for f in fact.__slots__}, "department": "women",
                         "created_at": NOW - timedelta(days=3), "attributes": {"fabric": ["Linen", "Cotton"]}})
    assert Condition(category_ids=frozenset({6, 7})).matches(fact, now=NOW)
    assert Condition(department="Women", price_min=30, price_max=50).matches(fact, now=NOW)
    assert Condition(new_within_days=7).matches(fact, now=NOW)
    assert not Condition(new_within_days=2).matches(fact, now=NOW)
    assert Condition(attribute=("fabric", "linen")).matches(fact, now=NOW)
    assert not Condition().matches(fact, now=NOW)  # an empty condition never matches everything


def test_a_rule_that_says_too_little_is_refused():
    with pytest.raises(ValueError, match="needs a condition"):
        Rule(1, "exclude")
    with pytest.raises(ValueError, match="needs a product"):
        Rule(1, "pin")
    with pytest.raises(ValueError, match="factor"):
        Rule(1, "boost", factor=0, condition=Condition(brand="x"))


def test_conflicts_are_said_for_both_rules():
    facts = catalogue(product(3, brand="Acme"))
    rules = [Rule(1, "pin", product_id=3, position=1), Rule(2, "pin", product_id=4, position=1, priority=2),
             Rule(3, "exclude", condition=Condition(brand="Acme"))]
    found = conflicts(rules, facts=facts, now=NOW)
    assert {(c.rule_id, c.other_id) for c in found} >= {(1, 2), (2, 1), (1, 3), (3, 1)}
    assert any("rule 2 wins" in c.message for c in found)
    assert any("never shown" in c.message for c in found)
