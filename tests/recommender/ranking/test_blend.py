"""Blending: per-source normalisation, weights, agreement between sources, deterministic order."""

import pytest

from recommender.ranking import Candidate, Evidence, Source, blend, merge
from recommender.ranking.blend import check_weights

from .builders import WEIGHTS, counted, visual

EQUAL = {source.value: 1.0 for source in Source}


def scores(candidates, weights=WEIGHTS):
    return {s.product_id: s.score for s in blend(merge(candidates), weights=weights)}


def test_a_product_reached_by_two_sources_outranks_one_reached_by_one_at_equal_scores():
    ranked = blend(merge([visual(1, 0.8), visual(2, 0.8), counted("co_buy", 2, 0.8)]), weights=EQUAL)
    assert [s.product_id for s in ranked] == [2, 1]


def test_merge_keeps_every_piece_of_evidence_of_a_product_reached_twice():
    twice = visual(7, 0.9, anchor=1)
    merged = merge([twice, counted("co_view", 7, 0.3, anchor=1), visual(3, 0.5), twice])
    assert [c.product_id for c in merged] == [3, 7]
    assert {e.source for e in merged[1].evidence} == {Source.VISUAL, Source.CO_VIEW}
    assert len(merged[1].evidence) == 2  # the exact duplicate is dropped


def test_the_best_trending_item_of_a_request_counts_as_much_as_a_perfect_similarity():
    s = scores([visual(1, 1.0), counted("trending", 2, 0.02)], weights=EQUAL)
    assert s[1] == pytest.approx(s[2])


def test_every_item_trending_reached_scores_above_zero():
    s = scores([counted("trending", pid, value) for pid, value in [(1, 0.001), (2, 0.01), (3, 1.0)]])
    assert 0 < s[1] < s[2] < s[3]


def test_trending_is_dampened_so_one_viral_item_does_not_flatten_the_rest():
    s = scores([counted("trending", 1, 1.0), counted("trending", 2, 0.25)])
    assert s[2] / s[1] == pytest.approx(0.5)


def test_trending_accepts_any_scale():
    assert scores([counted("trending", 1, 400), counted("trending", 2, 100)]) == pytest.approx(
        scores([counted("trending", 1, 0.04), counted("trending", 2, 0.01)])
    )


def test_a_single_trending_candidate_counts_fully_however_small_its_catalogue_score():
    s = scores([counted("trending", 1, 0.003)])
    assert s[1] == pytest.approx(WEIGHTS["trending"] / sum(WEIGHTS.values()))


def test_co_occurrence_scores_are_absolute_so_a_weak_best_pair_stays_weak():
    s = scores([counted("co_buy", 1, 0.1)], weights={"co_buy": 1.0})
    assert s[1] == pytest.approx(0.1)


def test_similarities_are_not_rescaled_to_the_best_of_the_request():
    s = scores([visual(1, 0.4)], weights={"visual": 1.0})
    assert s[1] == pytest.approx(0.4)


def test_negative_cosines_count_as_nothing():
    s = scores([visual(1, -0.3), counted("trending", 1, 5)], weights={"visual": 1.0, "trending": 1.0})
    assert s[1] == pytest.approx(0.5)


def test_an_item_tied_to_two_cart_items_beats_one_tied_to_one():
    ranked = blend(
        merge([visual(5, 0.7, anchor=1), visual(5, 0.7, anchor=2), visual(6, 0.7, anchor=1)]), weights=WEIGHTS
    )
    assert [s.product_id for s in ranked] == [5, 6]


def test_many_pieces_of_evidence_from_one_source_never_exceed_its_weight():
    s = scores([visual(5, 0.99, anchor=a) for a in range(20)], weights={"visual": 1.0, "co_buy": 1.0})
    assert s[5] <= 0.5


def test_scores_lie_between_zero_and_one():
    candidates = [visual(p, 1.0) for p in range(5)]
    candidates += [counted(src, p, 1.0) for src in ("co_buy", "co_view") for p in range(5)]
    candidates += [Candidate.from_source(p, src, 1.0) for src in ("profile", "session", "attribute") for p in range(5)]
    candidates += [counted("trending", p, 3) for p in range(5)]
    assert all(0 <= v <= 1 + 1e-9 for v in scores(candidates).values())
    assert max(scores(candidates).values()) == pytest.approx(1.0)


def test_ties_break_by_product_id():
    ranked = blend(merge([visual(9, 0.5), visual(3, 0.5), visual(6, 0.5)]), weights=WEIGHTS)
    assert [s.product_id for s in ranked] == [3, 6, 9]


def test_the_heavier_weight_decides_between_sources():
    candidates = merge([visual(1, 0.9), counted("trending", 2, 40)])
    assert blend(candidates, weights={"visual": 1.0, "trending": 0.3})[0].product_id == 1
    assert blend(candidates, weights={"visual": 0.3, "trending": 1.0})[0].product_id == 2


def test_a_source_missing_from_the_weights_is_switched_off():
    candidates = [visual(1, 0.9), visual(2, 0.5), counted("trending", 2, 40), counted("trending", 3, 40)]
    s = scores(candidates, weights={"visual": 1.0})
    assert set(s) == {1, 2}
    assert s[2] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "weights",
    [{"co_bought": 1.0}, {"visual": -1.0}, {"visual": float("nan")}, {"visual": 0.0}],
    ids=["unknown source", "negative", "nan", "all zero"],
)
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError):
        blend(merge([visual(1, 0.5)]), weights=weights)


@pytest.mark.parametrize(
    "source,score",
    [
        ("visual", 1.5),
        ("visual", -2),
        ("attribute", -0.1),
        ("co_buy", -0.1),
        ("co_view", 3),  # a raw count where an association score is expected
        ("trending", -1),
        ("trending", float("inf")),
        ("likes", 0.5),
    ],
)
def test_evidence_outside_its_sources_range_is_refused(source, score):
    with pytest.raises(ValueError):
        Evidence(source, score)


def test_the_default_weights_are_valid_and_name_every_source():
    from recommender.conf import DEFAULTS  # the one non-pure import here: checks that settings and ranking agree

    assert set(check_weights(DEFAULTS["WEIGHTS"])) == set(Source)
    assert 0 <= DEFAULTS["MMR_LAMBDA"] <= 1


def test_the_cosine_floor_rescales_look_alikes_and_drops_those_below_it():
    candidates = merge([visual(1, 0.95), visual(2, 0.75), visual(3, 0.6), counted("co_view", 4, 0.5)])
    weights = {"visual": 1.0, "co_view": 1.0}
    raw = {s.product_id: s.score for s in blend(candidates, weights=weights)}
    floored = {s.product_id: s.score for s in blend(candidates, weights=weights, cosine_floor=0.7)}
    assert raw[3] > raw[4]  # raw, a weak look-alike (cosine 0.6) beats a solid co-view
    assert floored[3] < 0.001  # a token, so look-alikes alone still come in cosine order
    assert floored[4] > floored[2]  # 0.75 is just above the floor: (0.75 - 0.7) / 0.3
    assert floored[1] == pytest.approx((0.95 - 0.7) / 0.3 / 2)
    assert floored[4] == raw[4]  # behaviour scores are untouched


def test_look_alikes_all_below_the_floor_keep_their_cosine_order():
    ranked = blend(merge([visual(1, 0.5), visual(2, 0.65), visual(3, 0.3)]), weights={"visual": 1.0}, cosine_floor=0.7)
    assert [s.product_id for s in ranked] == [2, 1, 3]


def test_a_cosine_floor_outside_0_to_1_is_refused():
    with pytest.raises(ValueError, match="cosine_floor"):
        blend(merge([visual(1, 0.9)]), weights={"visual": 1.0}, cosine_floor=1.0)
