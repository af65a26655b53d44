"""Product facts for ranking, fetched in a fixed number of queries (three, whatever the count).

In: product ids. Out: {id: ranking.ProductFacts} with name, category, price, sizes in stock, the
size type the shopper's usual sizes are matched against, and the unit vector of the serving encoder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from django.db import connection
from django.db.models import BinaryField, Func

from recommender.embeddings.store import encoder_for_serving
from recommender.models import ProductEmbedding
from recommender.ranking import ProductFacts
from shop.catalog.models import Product, Variant

BOTTOM_WORDS = ("bottom", "trouser", "jean", "short", "skirt", "legging", "pant", "capri", "track")


def size_type_of(*, sizes: Iterable[str], category_names: Iterable[str]) -> str | None:
    """"shoes" | "bottoms" | "tops" | None (one size): which of the profile's usual sizes applies."""
    sizes = [s for s in sizes if s and s.lower() != "one size"]
    if not sizes:
        return None
    numeric = [int(s) for s in sizes if s.isdigit()]
    if numeric and min(numeric) >= 35:
        return "shoes"
    names = " ".join(category_names).lower()
    if numeric or any(word in names for word in BOTTOM_WORDS):
        return "bottoms"
    return "tops"


def unit_vectors(*, product_ids: Iterable[int], encoder: str) -> dict[int, np.ndarray | None]:
    """{product id: unit float32 vector (None if all zeros)} in one query.

    Read in pgvector's binary form (`vector_send`: int16 dim, int16 unused, big-endian float32s)
    as bytea: NumPy takes the bytes as they are, where parsing the text form of a 1280-d vector
    costs about 1 ms each and a feed reads ~200 of them per request.
    """
    found: dict[int, np.ndarray | None] = {}
    rows = ProductEmbedding.objects.filter(product_id__in=list(product_ids), encoder=encoder).annotate(
        raw=Func("vector", function="vector_send", output_field=BinaryField())
    ).values_list("product_id", "raw")
    for product_id, raw in rows:
        found[product_id] = _unit_vector(raw)
    return found


def _unit_vector(raw) -> np.ndarray | None:
    """`vector_send` bytes (int16 dim, int16 unused, big-endian float32s) -> a unit float32 vector (None: zeros)."""
    v = np.frombuffer(bytes(raw), dtype=">f4", offset=4).astype(np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else None


def active_product_vector(*, product_id: int, encoder: str) -> tuple[str, np.ndarray | None] | None:
    """(name, unit vector or None) of an active product, None when there is no such product: one query, the
    vector as `vector_send` bytes (what a "similar" request needs before its nearest-neighbour query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.name, vector_send(e.vector) FROM {Product._meta.db_table} p "
            f"LEFT JOIN {ProductEmbedding._meta.db_table} e ON e.product_id = p.id AND e.encoder = %s "
            "WHERE p.id = %s AND p.is_active",
            [encoder, product_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    name, raw = row
    return name, (None if raw is None else _unit_vector(raw))


def product_facts(*, product_ids: Iterable[int]) -> dict[int, ProductFacts]:
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = Product.objects.filter(pk__in=ids).values_list(
        "pk", "name", "category_id", "category__name", "category__parent__name", "price", "is_active",
        "base_colour", "brand",
    )
    sizes: dict[int, list[str]] = defaultdict(list)
    in_stock: dict[int, set[str]] = defaultdict(set)
    for product_id, size, stock in Variant.objects.filter(product_id__in=ids).values_list("product_id", "size", "stock"):
        sizes[product_id].append(size)
        if stock > 0:
            in_stock[product_id].add(size)
    vectors = unit_vectors(product_ids=ids, encoder=encoder_for_serving())
    return {
        pk: ProductFacts(
            product_id=pk, name=name, category_id=category_id, category_name=category_name, price=float(price),
            active=active, sizes_in_stock=frozenset(in_stock[pk]),
            size_type=size_type_of(sizes=sizes[pk], category_names=(category_name, parent_name or "")),
            colour=colour, brand=brand, vector=vectors.get(pk),
        )
        for pk, name, category_id, category_name, parent_name, price, active, colour, brand in rows
    }
