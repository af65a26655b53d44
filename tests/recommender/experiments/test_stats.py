"""Experiment statistics on simulated traffic: pure, no database, milliseconds per check."""

import numpy as np
import pytest

from recommender.experiments.assignment import BUCKETS, arm_of, bucket_of
from recommender.experiments.stats import (
    Proportion,
    proportion_compare,
    sample_ratio_check,
    sample_size_per_arm,
    sample_still_needed,
)

ALPHA = 0.05
SEEDS = 400
BASE_CTR = 0.05


def _significant_share(*, p_a: float, p_b: float, n: int, seeds: int = SEEDS) -> tuple[float, float]:
    """Share of seeds on which B beats A significantly, and on which either wins."""
    b_wins = any_wins = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        a, b = rng.binomial(n, p_a), rng.binomial(n, p_b)
        result = proportion_compare(Proportion(int(a), n), Proportion(int(b), n), alpha=ALPHA)
        b_wins += result.winner == "treatment"
        any_wins += result.significant
    return b_wins / seeds, any_wins / seeds


def test_when_arm_b_truly_clicks_more_it_wins_with_the_planned_power():
    n = sample_size_per_arm(BASE_CTR, 0.06, alpha=ALPHA, power=0.8)
    b_wins, _ = _significant_share(p_a=BASE_CTR, p_b=0.06, n=n)
    # 400 seeds at a true power of 0.8: the observed share stays within 0.8 +- 3 standard errors (0.06).
    assert b_wins >= 0.74


def test_with_equal_arms_a_winner_is_declared_only_at_the_stated_false_positive_rate():
    _, any_wins = _significant_share(p_a=BASE_CTR, p_b=BASE_CTR, n=20_000)
    # alpha 0.05 over 400 seeds: 3 standard errors either way is 0.017 to 0.083.
    assert 0.017 <= any_wins <= 0.083


def test_a_significant_difference_has_an_interval_that_excludes_zero():
    result = proportion_compare(Proportion(500, 10_000), Proportion(650, 10_000), alpha=ALPHA)
    assert result.significant and result.winner == "treatment"
    assert 0 < result.low < result.difference < result.high
    assert result.lift == pytest.approx(0.3)


def test_an_interval_around_no_difference_contains_zero():
    result = proportion_compare(Proportion(500, 10_000), Proportion(505, 10_000), alpha=ALPHA)
    assert not result.significant and result.winner is None and result.low < 0 < result.high


def test_an_arm_with_no_traffic_is_never_significant():
    result = proportion_compare(Proportion(0, 0), Proportion(5, 100))
    assert not result.significant and result.p_value == 1.0


def test_a_broken_70_30_split_against_a_50_50_plan_raises_the_sample_ratio_warning():
    assert sample_ratio_check({"a": 7_000, "b": 3_000}, {"a": 50, "b": 50}).mismatch
    assert sample_ratio_check({"a": 70, "b": 30}, {"a": 50, "b": 50}).p_value < 0.001


def test_a_sound_split_passes_the_sample_ratio_check():
    assert not sample_ratio_check({"a": 5_030, "b": 4_970}, {"a": 50, "b": 50}).mismatch
    assert not sample_ratio_check({"a": 7_020, "b": 2_980}, {"a": 70, "b": 30}).mismatch


def test_units_in_an_arm_without_a_share_are_refused():
    with pytest.raises(ValueError, match="without a share"):
        sample_ratio_check({"a": 10, "ghost": 3}, {"a": 50, "b": 50})


def test_the_sample_size_grows_as_the_effect_shrinks_and_is_none_without_one():
    big, small = sample_size_per_arm(0.05, 0.07), sample_size_per_arm(0.05, 0.055)
    assert 1_500 < big < 3_000 < small  # the textbook figure for 5 % -> 7 % at 80 % power is ~2,200
    assert sample_size_per_arm(0.05, 0.05) is None
    assert sample_still_needed([1_000, 1_200], big) == big - 1_000
    assert sample_still_needed([5_000, 5_000], big) == 0


def test_assignment_is_deterministic_and_follows_the_shares():
    arms = [("a", 50), ("b", 30)]
    picks = [arm_of(experiment_id=3, shopper=f"s{i}", arms=arms) for i in range(20_000)]
    assert picks == [arm_of(experiment_id=3, shopper=f"s{i}", arms=arms) for i in range(20_000)]
    shares = {name: picks.count(name) / len(picks) for name in ("a", "b", None)}
    assert shares["a"] == pytest.approx(0.5, abs=0.015) and shares["b"] == pytest.approx(0.3, abs=0.015)
    assert shares[None] == pytest.approx(0.2, abs=0.015)  # the rest of the traffic stays on the default
    assert sample_ratio_check({"a": picks.count("a"), "b": picks.count("b")}, dict(arms)).p_value > 0.001


def test_each_experiment_splits_shoppers_independently():
    same = sum((bucket_of(experiment_id=1, shopper=f"u{i}") < BUCKETS // 2)
               == (bucket_of(experiment_id=2, shopper=f"u{i}") < BUCKETS // 2) for i in range(10_000))
    assert same / 10_000 == pytest.approx(0.5, abs=0.03)


def test_a_shopper_without_an_id_is_in_no_arm():
    assert arm_of(experiment_id=1, shopper=None, arms=[("a", 100)]) is None
