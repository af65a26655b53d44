"""MMR: relevance against similarity to what is already shown."""


import numpy as np
import pytest

from recommender.ranking import Scored, mmr

from .builders import catalogue, product


def items(*pairs):
    return [Scored(pid, score, ()) for pid, score in pairs]


def ids(selected):
    return [s.product_id for s in selected]


def unit(*values):
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_mmr_prefers_a_different_category_over_a_near_duplicate():
    facts = catalogue(
        product(1, category_id=1, colour="Black"),
        product(2, category_id=1, colour="Black"),
        product(3, category_id=2, colour="Blue"),
    )
    assert ids(mmr(items((1, 0.9), (2, 0.85), (3, 0.7)), facts=facts, k=2, mmr_lambda=0.7)) == [1, 3]


def test_mmr_uses_cosine_when_both_items_have_vectors():
    facts = catalogue(
        product(1, category_id=1, vector=unit(1, 0, 0)),
        product(2, category_id=2, vector=unit(1, 0.01, 0)),  # another category, but looks the same
        product(3, category_id=1, vector=unit(0, 1, 0)),
    )
    assert ids(mmr(items((1, 0.9), (2, 0.85), (3, 0.7)), facts=facts, k=2, mmr_lambda=0.7)) == [1, 3]


def test_vectors_of_a_minority_dimension_fall_back_to_category_and_colour():
    facts = catalogue(
        product(1, category_id=1, vector=unit(1, 0, 0)),
        product(2, category_id=2, vector=unit(1, 0, 0)),
        product(3, category_id=1, vector=unit(1, 0)),  # old encoder: compared by category with the others
    )
    assert ids(mmr(items((1, 0.9), (2, 0.85), (3, 0.84)), facts=facts, k=2, mmr_lambda=0.6)) == [1, 3]


def test_lambda_one_keeps_the_blended_order():
    facts = catalogue(*(product(p, category_id=1, colour="Black") for p in range(1, 6)))
    pool = items((1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6), (5, 0.5))
    assert ids(mmr(pool, facts=facts, k=5, mmr_lambda=1.0)) == [1, 2, 3, 4, 5]


def test_the_most_relevant_item_always_comes_first():
    facts = catalogue(*(product(p, category_id=p % 2) for p in range(1, 6)))
    pool = items((4, 0.9), (1, 0.8), (2, 0.7), (3, 0.6), (5, 0.5))
    for mmr_lambda in (0.1, 0.5, 0.9):
        assert mmr(pool, facts=facts, k=3, mmr_lambda=mmr_lambda)[0].product_id == 4


def test_mmr_returns_at_most_k_distinct_items():
    facts = catalogue(*(product(p) for p in range(10)))
    selected = ids(mmr(items(*((p, 1 / (p + 1)) for p in range(10))), facts=facts, k=4, mmr_lambda=0.5))
    assert len(selected) == len(set(selected)) == 4
    assert len(mmr(items((1, 0.5)), facts=facts, k=4, mmr_lambda=0.5)) == 1
    assert mmr([], facts=facts, k=4, mmr_lambda=0.5) == []


@pytest.mark.parametrize("mmr_lambda", [-0.1, 1.1])
def test_lambda_outside_zero_and_one_is_refused(mmr_lambda):
    with pytest.raises(ValueError):
        mmr(items((1, 0.5)), facts=catalogue(product(1)), k=1, mmr_lambda=mmr_lambda)


def test_mmr_over_a_thousand_candidates_with_vectors_picks_k_distinct_items_best_first():
    # Speed is the feed benchmark's business (bench feed), not a timed unit test's.
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(1000, 1280)).astype(np.float32)
    facts = catalogue(*(product(p, category_id=p % 7, vector=vectors[p]) for p in range(1000)))
    pool = items(*((p, float(s)) for p, s in enumerate(sorted(rng.random(1000), reverse=True))))
    picked = [s.product_id for s in mmr(pool, facts=facts, k=24, mmr_lambda=0.7)]
    assert len(set(picked)) == 24 and picked[0] == 0


def test_free_items_come_beside_k_others_and_the_first_k_are_the_list_for_k():
    facts = catalogue(*(product(n, category_id=n % 3, colour=("Black", "Blue")[n % 2]) for n in range(1, 13)))
    scored = items(*((n, 1.0 - n / 20) for n in range(1, 13)))
    free = {1, 2, 4, 5}
    plain = ids(mmr(scored, facts=facts, k=12, mmr_lambda=0.7))
    beside = ids(mmr(scored, facts=facts, k=4, mmr_lambda=0.7, free=lambda s: s.product_id in free))
    assert beside == plain[:len(beside)]  # greedy: the same order
    assert len([pid for pid in beside if pid not in free]) == 4 and beside[-1] not in free
    assert ids(mmr(scored, facts=facts, k=20, mmr_lambda=0.7, free=lambda s: True)) == plain  # runs out, stops
