import numpy as np
import pytest
from django.db import connection

from recommender.vectors import store
from recommender.models import EmbeddingStatus, ImageEmbedding, ProductEmbedding
from tests.factories import ProductImageFactory

pytestmark = pytest.mark.django_db
DIM = 1280


def unit(seed, *, dim=DIM):
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def ready_image(vector, *, encoder="lite0", product=None):
    image = ProductImageFactory(**({"product": product} if product else {}))
    row = ImageEmbedding.objects.create(image=image, encoder=encoder, sha256=image.sha256)
    assert store.image_vectors_save(encoder=encoder, rows=[(row.pk, image.sha256, vector)]) == 1
    store.product_vectors_refresh(product_ids=[image.product_id], encoder=encoder)
    return image


def test_a_vector_is_written_only_for_the_bytes_it_was_computed_from():
    image = ProductImageFactory()
    row = ImageEmbedding.objects.create(image=image, encoder="lite0", sha256=image.sha256)
    assert store.image_vectors_save(encoder="lite0", rows=[(row.pk, "0" * 64, unit(1))]) == 0
    row.refresh_from_db()
    assert row.status == EmbeddingStatus.PENDING and row.vector is None


def test_the_product_vector_is_the_mean_of_its_current_image_vectors():
    first = ready_image(unit(1))
    second = ready_image(unit(2), product=first.product)
    vector = np.array(ProductEmbedding.objects.get(product=first.product).vector, dtype=np.float32)
    expected = (unit(1) + unit(2)) / 2
    # Image vectors travel as halfvec: float16 keeps about 3.3 significant digits of each component.
    assert np.allclose(vector, expected, atol=5e-5)
    assert ProductEmbedding.objects.get(product=first.product).images == 2
    # Replace the second photo: its old vector no longer counts, at once.
    from django.core.files.base import ContentFile

    from tests.factories import jpeg_bytes

    second.image = ContentFile(jpeg_bytes(colour=(1, 2, 3)), name="new.jpg")
    second.save()
    vector = np.array(ProductEmbedding.objects.get(product=first.product).vector, dtype=np.float32)
    assert np.allclose(vector, unit(1), atol=5e-5)


def test_a_product_whose_only_image_changed_has_no_vector_until_it_is_recomputed():
    image = ready_image(unit(3))
    from django.core.files.base import ContentFile

    from tests.factories import jpeg_bytes

    image.image = ContentFile(jpeg_bytes(colour=(9, 9, 9)), name="other.jpg")
    image.save()
    assert not ProductEmbedding.objects.filter(product=image.product).exists()
    assert store.product_neighbours(product_id=image.product_id, encoder="lite0") == []


def test_neighbours_come_nearest_first_and_exclude_the_product_itself():
    base = unit(10)
    rng = np.random.default_rng(0)
    images = [ready_image(base + noise * rng.standard_normal(DIM).astype(np.float32) / np.sqrt(DIM))
              for noise in (0.0, 0.1, 0.5, 1.0, 3.0)]
    neighbours = store.product_neighbours(product_id=images[0].product_id, k=3, encoder="lite0")
    assert [n.product_id for n in neighbours] == [i.product_id for i in images[1:4]]
    assert neighbours[0].distance < neighbours[1].distance < neighbours[2].distance


def test_the_neighbour_query_walks_the_hnsw_index():
    ready_image(unit(1))
    image = ready_image(unit(2))
    with connection.cursor() as cursor:
        # Two rows are cheaper to sort than to walk an index; switch the alternatives off to see the choice.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
        cursor.execute(
            "EXPLAIN SELECT product_id FROM recommender_productembedding WHERE encoder = 'lite0' "
            "ORDER BY (vector::halfvec(1280)) <=> (SELECT vector::halfvec(1280) FROM recommender_productembedding "
            "WHERE product_id = %s AND encoder = 'lite0') LIMIT 8",
            [image.product_id],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "product_embedding_hnsw_lite0" in plan


def test_old_encoder_vectors_serve_until_the_new_encoder_has_covered_every_image(settings):
    from django.core.cache import cache

    settings.RECOMMENDER = {"ENCODER": "new"}
    cache.delete("recommender:serving-encoder")
    old = [ready_image(unit(i), encoder="lite0") for i in range(3)]
    assert store.encoder_for_serving() == "lite0"
    for seed, image in enumerate(old):
        row = ImageEmbedding.objects.create(image=image, encoder="new", sha256=image.sha256)
        store.image_vectors_save(encoder="new", rows=[(row.pk, image.sha256, unit(100 + seed, dim=64))])
        store.product_vectors_refresh(product_ids=[image.product_id], encoder="new")
    cache.delete("recommender:serving-encoder")
    try:
        assert store.encoder_for_serving() == "new"
        assert len(store.product_neighbours(product_id=old[0].product_id, k=5)) == 2
    finally:
        cache.delete("recommender:serving-encoder")  # "new" is no real encoder: never leave it to later tests
