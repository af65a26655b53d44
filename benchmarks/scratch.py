"""Scratch databases and a synthetic catalogue for the benchmarks that need a big one (similar, feed).

`scratch_database(prefix)`: CREATE DATABASE <prefix>_<pid> on the server behind the default alias,
point the default alias at it (so code that uses `django.db.connection` runs against it unchanged),
migrate, yield its name; afterwards the default alias points back and the database is dropped
(WITH FORCE), also on an exception or Ctrl-C. The shop's own tables are never touched.

`catalogue_fill(products, ...)`: products with attributes chosen so that filters of an exact
selectivity exist (see `SELECTIVE_FILTERS`), one variant each, and a unit vector of `dim` floats
per product written with binary COPY under the encoder 'lite0'. With `COMPACT_DIMS` set (the default), the shop's
own `compact_fit` then fits the compact vectors, writes them and builds their HNSW index, and those are what the
benchmarks query (the returned `encoder` and `vectors`). The raw vectors' index is dropped before the COPY and
rebuilt after it (one bulk build instead of 100k incremental inserts) unless `raw_index` is False and compact
vectors serve (the benchmarks' scratch databases: no read uses it). The index builds' seconds are returned.

Vectors: `clusters` Gaussian centres; each product is its centre plus a low-rank offset (a shared
32-d basis: image embeddings have a low intrinsic dimension) plus small isotropic noise, then
normalised. Filter attributes are drawn independently of the clusters: the hardest case for a
post-filtered HNSW scan, since matching products are spread over every cluster.
"""

from __future__ import annotations

import contextlib
import os
import time

import numpy as np
from django.core.management import call_command
from django.db import connection, connections

from recommender.vectors.compact import compact_name
from recommender.vectors.compact_store import compact_dims, compact_fit
from recommender.vectors.bulk import index_definition, product_vectors_copy, product_vectors_read

ENCODER = "lite0"
LEAF_CATEGORIES = 100  # product i is in leaf i % 100: a leaf keeps exactly 1 %
SIZES = [f"S{n:02d}" for n in range(20)]  # product i's one variant has size SIZES[(i // 7) % 20]: ~5 %
PRICE_STEPS = 50  # price = 10 + (i // 3) % 50: price <= 19 keeps 20 %
GENDERS = ["men", "women", "boys", "girls", "unisex"]


def selective_filters(*, first_category_id: int):
    """{"1": ProductFilters, "5": ..., "20": ...}: filters keeping 1 %, 5 % and 20 % of the catalogue."""
    from decimal import Decimal

    from recommender.vectors.nearest import ProductFilters

    return {
        "1": ProductFilters(category_id=first_category_id + 3),
        "5": ProductFilters(size=SIZES[4]),
        "20": ProductFilters(price_max=Decimal("19")),
    }


@contextlib.contextmanager
def scratch_database(prefix: str, *, log):
    name = f"{prefix}_{os.getpid()}"
    default = connections["default"]
    original = default.settings_dict["NAME"]
    with default.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    default.close()
    default.settings_dict["NAME"] = name
    try:
        log(f"scratch database {name}: migrating")
        call_command("migrate", verbosity=0)
        yield name
    finally:
        default.close()
        default.settings_dict["NAME"] = original
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"scratch database {name}: dropped")


def catalogue_fill(*, products: int, dim: int = 1280, clusters: int = 500, seed: int = 7, raw_index: bool = True,
                   log) -> dict:
    """Fill the (scratch) default database. Returns {"first_product_id", "first_category_id", "vectors", "encoder",
    "dim", "index_build_s", "copy_s", "hnsw"}; `hnsw`: the refit's depth calibration (None when raw vectors serve); `vectors` is the served encoder's float32 [products, dim] matrix in product-id order."""
    rng = np.random.default_rng(seed)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO catalog_category (name, slug, position) "
                       "SELECT 'Group ' || n, 'group-' || n, 0 FROM generate_series(0, %s) n", [LEAF_CATEGORIES // 5 - 1])
        cursor.execute("SELECT min(id) FROM catalog_category")
        first_group = cursor.fetchone()[0]
        cursor.execute("INSERT INTO catalog_category (name, slug, position, parent_id) "
                       "SELECT 'Leaf ' || n, 'leaf-' || n, 0, %s + n / 5 FROM generate_series(0, %s) n",
                       [first_group, LEAF_CATEGORIES - 1])
        cursor.execute("SELECT min(id) FROM catalog_category WHERE parent_id IS NOT NULL")
        first_leaf = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO catalog_product (name, slug, description, brand, category_id, gender, base_colour, season,
                                         usage, attributes, price, currency, is_active, created_at, updated_at)
            SELECT 'Product ' || n, 'product-' || n, '', 'Bench', %s + n %% %s, (%s::text[])[1 + (n / 100) %% 5],
                   '', '', '', '{}', 10 + (n / 3) %% %s, 'EUR', true, now(), now()
              FROM generate_series(0, %s - 1) n ORDER BY n""",
            [first_leaf, LEAF_CATEGORIES, GENDERS, PRICE_STEPS, products],
        )
        cursor.execute("SELECT min(id), max(id) FROM catalog_product")
        first_product, last_product = cursor.fetchone()
        assert last_product - first_product + 1 == products, "product ids are not contiguous"
        cursor.execute(
            """
            INSERT INTO catalog_variant (product_id, size, sku, stock, position)
            SELECT %s + n, (%s::text[])[1 + (n / 7) %% 20], 'SKU-' || n, 1 + n %% 5, 0
              FROM generate_series(0, %s - 1) n""",
            [first_product, SIZES, products],
        )
        log(f"{products:,} products; generating {dim}-d vectors in {clusters} clusters and copying them in")
        dims = compact_dims()
        # Block by block: at a million products the raw matrix alone is 5 GB, and only raw serving needs it kept.
        vectors = None if dims else np.empty((products, dim), dtype=np.float32)
        cursor.execute("DROP INDEX IF EXISTS product_embedding_hnsw_lite0")
        copy_s = 0.0
        for start, block in synthetic_blocks(rng, n=products, dim=dim, clusters=clusters):
            if vectors is not None:
                vectors[start:start + len(block)] = block
            started = time.perf_counter()
            product_vectors_copy(cursor, encoder=ENCODER, product_ids=first_product + start + np.arange(len(block)),
                                 vectors=block)
            copy_s += time.perf_counter() - started
        log(f"COPY {products:,} vectors: {copy_s:.1f} s")
        cursor.execute("ANALYZE")
        started = time.perf_counter()
        if raw_index or not dims:
            log("building the raw vectors' HNSW index")
            cursor.execute("SET maintenance_work_mem = '2GB'")  # the graph must fit, or the build crawls
            cursor.execute(index_definition(name="product_embedding_hnsw_lite0", dim=dim), [ENCODER])
            cursor.execute("RESET maintenance_work_mem")
        encoder, hnsw = ENCODER, None
        if dims:
            # What the shop serves: compact vectors fitted, written and indexed by the shop's own code.
            log(f"fitting {dims}-d compact vectors and building their HNSW index")
            # compact_fit builds the index on this connection; a million rows' graph outgrows the embedded
            # server's 512MB default, and a build that outgrows it crawls.
            cursor.execute("SET maintenance_work_mem = '3GB'")
            hnsw = compact_fit(source=ENCODER, dims=dims).held_out.get("hnsw")
            cursor.execute("RESET maintenance_work_mem")
            encoder = compact_name(ENCODER, dims)
            vectors = product_vectors_read(encoder=encoder)[1]
        build = time.perf_counter() - started
        cursor.execute("ANALYZE")
        log(f"HNSW build: {build:.1f} s")
    return {"first_product_id": first_product, "first_category_id": first_leaf, "vectors": vectors,
            "encoder": encoder, "dim": int(vectors.shape[1]), "index_build_s": round(build, 1), "copy_s": round(copy_s, 1),
            "hnsw": hnsw}


def synthetic_blocks(rng, *, n: int, dim: int, clusters: int, rows: int = 10_000):
    """(first row, float32 [m, dim] unit rows) blocks of the synthetic catalogue's vectors, in order."""
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    basis = rng.standard_normal((32, dim)).astype(np.float32) / np.sqrt(dim)
    for start in range(0, n, rows):
        m = min(rows, n - start)
        x = centres[rng.integers(0, clusters, m)]
        x += rng.standard_normal((m, 32)).astype(np.float32) @ basis * 0.7
        x += rng.standard_normal((m, dim)).astype(np.float32) * (0.25 / np.sqrt(dim))
        yield start, x / np.linalg.norm(x, axis=1, keepdims=True)
