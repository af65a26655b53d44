"""Compact serving vectors' maths (pure numpy, no database): PCA keeps what the neighbours depend on."""

import numpy as np
import pytest

from recommender.vectors.compact import compact_name, compact_parts, compact_source, explained_variance, pca_fit
from recommender.vectors.projection import unit_rows
from tests.helpers.synthetic import low_rank


def top10(vectors):
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1)[:, :10]


def test_names_say_source_and_width():
    assert compact_name("lite0", 256) == "lite0-pca256"
    assert compact_parts("lite0-pca256") == ("lite0", 256)
    assert compact_source("resnet-50-pca64") == "resnet-50"
    assert compact_source("lite0") is None and compact_parts("lite0-proj") is None


def test_components_covering_the_subspace_keep_the_neighbours_and_the_variance():
    vectors = low_rank()
    projection = pca_fit(vectors, dims=16)
    compact = projection.apply(vectors)
    assert compact.shape == (600, 16)
    assert np.allclose(np.linalg.norm(compact, axis=1), 1, atol=1e-5)
    assert explained_variance(vectors, projection) > 0.95
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top10(vectors), top10(compact))])
    assert overlap > 0.8, overlap


def test_too_few_components_lose_neighbours_so_the_test_above_can_fail():
    vectors = low_rank()
    compact = pca_fit(vectors, dims=3).apply(vectors)
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top10(vectors), top10(compact))])
    assert overlap < 0.6, overlap


def test_a_refit_on_the_same_vectors_gives_the_same_space():
    vectors = low_rank()
    first, second = pca_fit(vectors, dims=16), pca_fit(vectors[::-1].copy(), dims=16)
    assert np.allclose(first.apply(vectors), second.apply(vectors), atol=1e-4)


@pytest.mark.parametrize(("n", "dims"), [(16, 16), (600, 200)])
def test_a_fit_needs_more_rows_than_components_and_no_more_components_than_columns(n, dims):
    with pytest.raises(ValueError):
        pca_fit(low_rank(n=n), dims=dims)


def test_the_block_by_block_fit_is_the_textbook_pca_of_the_unit_rows(monkeypatch):
    """Blocks of 7 rows (a remainder included) give the components an SVD of the whole centred matrix gives."""
    from recommender.vectors import projection as projection_module

    vectors = low_rank(n=200)
    monkeypatch.setattr(projection_module, "BLOCK_ROWS", 7)
    monkeypatch.setattr(projection_module.row_blocks, "__defaults__", (7,))
    fitted = pca_fit(vectors, dims=8)
    x = unit_rows(vectors).astype(np.float64)
    centred = x - x.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    assert np.allclose(fitted.mean, x.mean(axis=0), atol=1e-6)
    # The same subspace, component by component (an SVD's signs are its own).
    assert np.allclose(np.abs(np.sum(fitted.matrix * vt[:8], axis=1)), 1, atol=1e-4)
    kept = float((singular[:8] ** 2).sum() / (singular ** 2).sum())
    assert explained_variance(vectors, fitted) == pytest.approx(kept, abs=1e-5)
    whole = unit_rows((x.astype(np.float32) - fitted.mean) @ fitted.matrix.T)
    assert np.allclose(fitted.apply(vectors), whole, atol=1e-5)


@pytest.mark.parametrize("expected", [None, 0, 2, 5, 9])
def test_pages_of_rows_land_in_one_matrix_whatever_the_count_said(expected):
    """The count before the pages may be off (rows written meanwhile): fewer, more or none, the matrix holds every
    row once, in order."""
    from recommender.vectors.bulk import _collect

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((5, 4)).astype(np.float32)
    sent = [(pid, np.int16(4).tobytes()[::-1] + b"\x00\x00" + v.astype(">f4").tobytes(), 100 + pid)
            for pid, v in enumerate(vectors, start=1)]
    ids, matrix, times = _collect([sent[:2], [], sent[2:3], sent[3:]], expected)
    assert list(ids) == [1, 2, 3, 4, 5] and list(times) == [101, 102, 103, 104, 105]
    assert matrix.shape == (5, 4) and np.array_equal(matrix, vectors)
