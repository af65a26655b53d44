"""Image vectors travel as binary halfvec (recommender.vectors.halfvec_wire) and land as vector."""

import numpy as np
import pytest
from django.db import transaction

from recommender.vectors import store
from recommender.models import EmbeddingStatus, ImageEmbedding
from tests.factories import ProductImageFactory

pytestmark = pytest.mark.django_db
DIM = 1280


def unit(seed):
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def pending_rows(count):
    rows = []
    for _ in range(count):
        image = ProductImageFactory()
        rows.append((ImageEmbedding.objects.create(image=image, encoder="lite0", sha256=image.sha256), image))
    return rows


def stored(row) -> np.ndarray:
    row.refresh_from_db()
    return np.asarray(row.vector, dtype=np.float32)


def test_a_vector_sent_as_halfvec_keeps_its_direction_to_within_float16():
    [(row, image)] = pending_rows(1)
    vector = unit(1)
    assert store.image_vectors_save(encoder="lite0", rows=[(row.pk, image.sha256, vector)]) == 1
    got = stored(row)
    assert row.status == EmbeddingStatus.READY and got.shape == (DIM,)
    assert float(got @ vector / np.linalg.norm(got)) > 0.9999
    assert np.abs(got - vector).max() < 1e-3


def test_each_row_gets_its_own_vector_when_many_are_written_at_once():
    rows = pending_rows(5)
    vectors = [unit(10 + i) for i in range(5)]
    assert store.image_vectors_save(
        encoder="lite0", rows=[(row.pk, image.sha256, v) for (row, image), v in zip(rows, vectors)]) == 5
    for (row, _), vector in zip(rows, vectors):
        assert float(stored(row) @ vector) > 0.999


def test_two_writes_in_one_transaction_do_not_mix_their_rows():
    (first, first_image), (second, second_image) = pending_rows(2)
    with transaction.atomic():
        store.image_vectors_save(encoder="lite0", rows=[(first.pk, first_image.sha256, unit(1))])
        store.image_vectors_save(encoder="lite0", rows=[(second.pk, second_image.sha256, unit(2))])
        # Written again with another vector: the second write must not find the first one's staged rows.
        store.image_vectors_save(encoder="lite0", rows=[(first.pk, first_image.sha256, unit(3))])
    assert float(stored(first) @ unit(3)) > 0.999
    assert float(stored(second) @ unit(2)) > 0.999


def test_a_hash_of_another_length_is_written_with_its_own_length():
    (row, image), (other, other_image) = pending_rows(2)
    ImageEmbedding.objects.filter(pk=other.pk).update(sha256="")
    # A stale row (hash shorter than the image's) is left alone; the current one is written.
    assert store.image_vectors_save(
        encoder="lite0", rows=[(row.pk, image.sha256, unit(4)), (other.pk, "abc", unit(5))]) == 1
    assert float(stored(row) @ unit(4)) > 0.999
    other.refresh_from_db()
    assert other.vector is None
