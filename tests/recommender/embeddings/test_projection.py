"""The projection learner on synthetic vectors (pure numpy, no database): class structure hidden under a
stronger nuisance that raw cosine cannot see past, the way colour and pose dominate ImageNet features."""

import numpy as np
import pytest

from recommender.vectors.projection import held_out, projection_fit, unit_rows
from tests.helpers.synthetic import synthetic


def p_at_10(vectors, labels):
    vectors = unit_rows(vectors)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    top = np.argsort(-sims, axis=1)[:, :10]
    return float((labels[top] == labels[:, None]).mean())


def test_a_projection_fitted_on_one_half_lifts_p_at_10_on_the_other_half():
    vectors, labels = synthetic()
    keys = [f"product-{i}" for i in range(len(labels))]
    test = np.array([held_out(key) for key in keys])
    projection = projection_fit(vectors[~test], labels[~test])
    raw = p_at_10(vectors[test], labels[test])
    learned = p_at_10(projection.apply(vectors[test]), labels[test])
    assert learned > raw + 0.2, (raw, learned)


def test_projected_vectors_are_unit_rows_with_one_dimension_fewer_than_categories():
    vectors, labels = synthetic(categories=5)
    projection = projection_fit(vectors, labels)
    out = projection.apply(vectors[:7])
    assert projection.dims == (4, 48) and out.shape == (7, 4)
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    assert projection.matrix.dtype == projection.mean.dtype == np.float32


def test_the_split_is_fixed_by_the_slug_and_holds_out_about_half():
    keys = [f"product-{i}" for i in range(2000)]
    first = [held_out(key) for key in keys]
    assert first == [held_out(key) for key in keys]
    assert 0.45 < sum(first) / len(first) < 0.55


def test_one_category_is_not_enough_to_learn_from():
    vectors, _ = synthetic(categories=2)
    with pytest.raises(ValueError, match="two categories"):
        projection_fit(vectors, np.zeros(len(vectors), dtype=int))
