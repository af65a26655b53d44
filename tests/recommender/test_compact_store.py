"""Compact serving vectors in PostgreSQL: fitted when due, kept in step with their source rows, served once they
cover it, indexed, and rewritten as a whole by a refit."""

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from recommender.vectors import store
from recommender.vectors.compact_store import compact_current, compact_ensure
from recommender.models import ImageEmbedding, ProductEmbedding, VisualProjection
from recommender.tasks import reconcile_embeddings_task
from tests.factories import ProductImageFactory
from tests.helpers.synthetic import low_rank

pytestmark = pytest.mark.django_db
TOY = "toy96"  # lite0's migration index wants 1280 dims; a toy source keeps these tests small
COMPACT = "toy96-pca16"


@pytest.fixture
def toy(settings):
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "ENCODER": TOY, "COMPACT_DIMS": 16,
                            "COMPACT_MIN_PRODUCTS": 40}
    cache.delete("recommender:serving-encoder")
    yield
    cache.delete("recommender:serving-encoder")  # toy encoders must not serve later tests


def embed(image, vector):
    """What a worker does for one image: its vector written, its product's vectors refreshed."""
    row, _ = ImageEmbedding.objects.get_or_create(image=image, encoder=TOY)
    assert store.image_vectors_save(encoder=TOY, rows=[(row.pk, image.sha256, vector)]) == 1
    store.product_vectors_refresh(product_ids=[image.product_id], encoder=TOY)


def catalogue(n):
    vectors = low_rank(n=n)
    images = [ProductImageFactory() for _ in range(n)]
    for image, vector in zip(images, vectors):
        embed(image, vector)
    return images, vectors


def as_stored(vector):
    """An image vector as the store keeps it: it travels to PostgreSQL as halfvec (float16)."""
    return np.asarray(vector, dtype=np.float16).astype(np.float32)


def stored(encoder, product_id):
    return np.asarray(ProductEmbedding.objects.get(encoder=encoder, product_id=product_id).vector, np.float32)


def test_below_the_minimum_nothing_is_fitted_and_raw_vectors_serve(toy):
    catalogue(39)
    assert compact_ensure() is None
    assert not ProductEmbedding.objects.filter(encoder=COMPACT).exists()
    assert store.encoder_for_serving() == TOY


def test_the_beat_fits_them_once_due_then_they_serve_from_their_own_index(toy):
    images, vectors = catalogue(60)
    reconcile_embeddings_task()  # the beat's sweep, called in-process: this is about what it decides

    row = VisualProjection.objects.get(method="pca")
    assert (row.encoder, row.products, row.input_dim, row.output_dim) == (TOY, 60, 96, 16)
    assert ProductEmbedding.objects.filter(encoder=COMPACT).count() == 60
    assert store.encoder_for_serving() == COMPACT
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'product_embedding_hnsw_toy96_pca16'")
        assert cursor.fetchone()
    anchor = images[0].product_id
    found = {n.product_id for n in store.product_neighbours(product_id=anchor, k=5)}
    sims = vectors @ vectors[0]
    sims[0] = -np.inf
    raw_top = {images[i].product_id for i in np.argsort(-sims)[:5]}
    assert len(found & raw_top) >= 3, (found, raw_top)
    assert compact_ensure() is None  # not due again until the catalogue doubles


def test_a_new_or_replaced_photo_moves_its_compact_row_with_it(toy):
    images, vectors = catalogue(50)
    call_command("compact_vectors", verbosity=0)
    _, projection = compact_current(source=TOY)

    newcomer = ProductImageFactory()
    embed(newcomer, vectors[7])
    assert np.allclose(stored(COMPACT, newcomer.product_id), projection.apply(as_stored(vectors[7]))[0], atol=1e-5)

    embed(images[3], vectors[9])  # same image row, new vector
    assert np.allclose(stored(COMPACT, images[3].product_id), projection.apply(as_stored(vectors[9]))[0], atol=1e-5)

    images[3].delete()  # its product has no image left: no raw row, no compact row
    assert not ProductEmbedding.objects.filter(product_id=images[3].product_id).exists()
    assert ProductEmbedding.objects.filter(encoder=COMPACT).count() == ProductEmbedding.objects.filter(
        encoder=TOY).count() == 50


def test_a_refit_rewrites_every_row_in_the_new_space_and_keeps_one_projection(toy):
    images, _ = catalogue(50)
    call_command("compact_vectors", verbosity=0)
    first = stored(COMPACT, images[0].product_id)
    for image, vector in zip(images[:25], low_rank(n=25, seed=3)):  # half the catalogue changes its look
        embed(image, vector)
    call_command("compact_vectors", verbosity=0)

    assert VisualProjection.objects.filter(method="pca").count() == 1
    _, projection = compact_current(source=TOY)
    raw = stored(TOY, images[0].product_id)
    assert np.allclose(stored(COMPACT, images[0].product_id), projection.apply(raw)[0], atol=1e-5)
    assert not np.allclose(stored(COMPACT, images[0].product_id), first, atol=1e-3)


def test_switched_off_the_raw_vectors_serve_and_the_command_says_why(toy, settings):
    settings.RECOMMENDER = {**settings.RECOMMENDER, "COMPACT_DIMS": 0}
    catalogue(50)
    assert compact_ensure() is None
    assert store.encoder_for_serving() == TOY
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="COMPACT_DIMS"):
        call_command("compact_vectors", verbosity=0)


def test_rows_an_embedding_task_left_behind_are_caught_up_by_the_beat(toy):
    images, vectors = catalogue(50)
    call_command("compact_vectors", verbosity=0)
    _, projection = compact_current(source=TOY)
    # What a task killed before its last step leaves: new source rows, their compact rows not yet written.
    newcomer = ProductImageFactory()
    row = ImageEmbedding.objects.create(image=newcomer, encoder=TOY)
    store.image_vectors_save(encoder=TOY, rows=[(row.pk, newcomer.sha256, vectors[5])])
    store.product_vectors_refresh(product_ids=[newcomer.product_id], encoder=TOY, with_compact=False)
    store.image_vectors_save(encoder=TOY, rows=[(ImageEmbedding.objects.get(image=images[1]).pk, images[1].sha256,
                                                 vectors[6])])
    store.product_vectors_refresh(product_ids=[images[1].product_id], encoder=TOY, with_compact=False)
    assert not ProductEmbedding.objects.filter(encoder=COMPACT, product_id=newcomer.product_id).exists()

    assert compact_ensure() is None  # no refit due: a catch-up
    assert np.allclose(stored(COMPACT, newcomer.product_id), projection.apply(as_stored(vectors[5]))[0], atol=1e-5)
    assert np.allclose(stored(COMPACT, images[1].product_id), projection.apply(as_stored(vectors[6]))[0], atol=1e-5)
    from recommender.vectors.compact_store import compact_reconcile

    assert compact_reconcile(source=TOY, dims=16) == 0  # and nothing is left to do


@pytest.mark.parametrize("page_rows", [1, 7, 100])
def test_every_products_vectors_read_in_pages_are_the_rows_one_statement_reads(toy, page_rows):
    """A refit reads the whole catalogue in pages (bounded memory at a million products): the same ids, vectors
    and times in product-id order, whatever the page size, and only the asked encoder's rows."""
    from recommender.vectors.bulk import product_vectors_read

    images, _ = catalogue(23)
    ProductEmbedding.objects.create(product=images[4].product, encoder="other-encoder", vector=np.ones(96))
    ids, vectors, times = product_vectors_read(encoder=TOY, with_times=True, page_rows=page_rows)
    one_ids, one_vectors, one_times = product_vectors_read(
        encoder=TOY, with_times=True, product_ids=[image.product_id for image in reversed(images)])
    assert list(ids) == sorted(image.product_id for image in images) == list(one_ids)
    assert np.array_equal(vectors, one_vectors) and np.array_equal(times, one_times)
    assert vectors.dtype == np.float32 and vectors.shape == (23, 96)
    assert np.allclose(vectors[0], stored(TOY, ids[0]))


def test_reading_an_encoder_without_rows_answers_empty_arrays(toy):
    from recommender.vectors.bulk import product_vectors_read

    ids, vectors = product_vectors_read(encoder="nobody", page_rows=5)
    assert ids.shape == (0,) and vectors.size == 0
