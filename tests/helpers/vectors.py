"""Products with image vectors written by the real store (pgvector), for tests of similar items and search."""

import numpy as np

from recommender.vectors import store
from recommender.models import ImageEmbedding
from tests.factories import product_with_sizes

DIM = 1280  # the default encoder's (lite0) vector length


def direction(seed: int) -> np.ndarray:
    """A unit vector, the same for the same seed."""
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def with_vector(product, vector):
    """The product, its one image given `vector` and the product's vector refreshed from it."""
    image = product.images.get()
    row = ImageEmbedding.objects.create(image=image, encoder="lite0", sha256=image.sha256)
    store.image_vectors_save(encoder="lite0", rows=[(row.pk, image.sha256, vector)])
    store.product_vectors_refresh(product_ids=[product.pk], encoder="lite0")
    return product


def lookalikes(anchor_vector, count, *, sizes=(("M", 3),), noise=0.3, category=None):
    """`count` new products whose vectors lie near `anchor_vector`."""
    rng = np.random.default_rng(count)
    made = []
    for _ in range(count):
        vector = anchor_vector + noise * rng.standard_normal(DIM).astype(np.float32) / np.sqrt(DIM)
        made.append(with_vector(product_with_sizes(sizes=sizes, **({"category": category} if category else {})), vector))
    return made
