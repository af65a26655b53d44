"""Write the demo catalogue into the shop: categories, products, variants and one rendered photo each.

In: how many products and a seed. Out: a `DemoSummary` (created, skipped, seconds spent).
Idempotent: products are keyed by `external_id` "demo-<n>", and those already present are
skipped, so a rerun creates nothing and a rerun with more products adds only the new ones.
Rendering dominates the cost (about 40 ms a photo on one core), so photos are drawn by a small
process pool when there are many; the database work is a few bulk inserts per chunk.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from shop.catalog.models import Category, Product, ProductImage, Variant

from .kinds import KINDS
from .render import render_job
from .specs import ProductSpec, demo_product_specs

CHUNK = 60
# Below this many photos a pool costs more to start than it saves.
POOL_THRESHOLD = 48
# Siblings are listed in the order the kinds are declared: Clothing, Shoes, Accessories; Tops first.
_POSITION = {prefix: i for i, prefix in enumerate(dict.fromkeys(
    kind.path[:depth] for kind in KINDS.values() for depth in range(1, len(kind.path) + 1)))}


@dataclass
class DemoSummary:
    created: int = 0
    skipped: int = 0
    seconds: float = 0.0
    render_seconds: float = 0.0

    def __str__(self) -> str:
        return (f"created {self.created} products, skipped {self.skipped} already present, "
                f"in {self.seconds:.1f} s ({self.render_seconds:.1f} s drawing photos)")


def demo_catalogue_create(
    *, products: int = 600, seed: int = 7, on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> DemoSummary:
    started = time.monotonic()
    summary = DemoSummary()
    specs = demo_product_specs(n=products, seed=seed)
    present = set(Product.objects.filter(external_id__in=[s.external_id for s in specs])
                  .values_list("external_id", flat=True))
    todo = [spec for spec in specs if spec.external_id not in present]
    summary.skipped = len(specs) - len(todo)
    if on_progress and summary.skipped:
        on_progress(summary.skipped)
    if not todo:
        summary.seconds = time.monotonic() - started
        return summary

    categories = _categories({spec.category_path for spec in todo})
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    pool = _pool(workers) if workers > 1 and len(todo) >= POOL_THRESHOLD else None
    try:
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            drawing = time.monotonic()
            photos = list(_render(chunk, pool=pool))
            summary.render_seconds += time.monotonic() - drawing
            with transaction.atomic():
                _write(chunk, photos=photos, categories=categories)
            summary.created += len(chunk)
            if on_progress:
                on_progress(len(chunk))
    finally:
        if pool is not None:
            pool.shutdown()
    summary.seconds = time.monotonic() - started
    return summary


def _pool(workers: int) -> ProcessPoolExecutor:
    # "spawn": the parent holds database sockets and maybe threads; a forked child must not inherit them.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _render(chunk: list[ProductSpec], *, pool: ProcessPoolExecutor | None) -> Iterable[bytes]:
    jobs = [(spec.kind, spec.colour, spec.pattern, spec.image_seed) for spec in chunk]
    if pool is None:
        return map(render_job, jobs)
    return pool.map(render_job, jobs, chunksize=4)


def _write(chunk: list[ProductSpec], *, photos: list[bytes], categories: dict[tuple[str, ...], Category]) -> None:
    products = [
        Product(
            external_id=spec.external_id, name=spec.name, slug=spec.slug, description=spec.description,
            brand=spec.brand, category=categories[spec.category_path], gender=spec.gender, base_colour=spec.colour,
            season=spec.season, usage=spec.usage, year=spec.year, attributes=spec.attributes, price=spec.price,
        )
        for spec in chunk
    ]
    Product.objects.bulk_create(products)
    Variant.objects.bulk_create([
        Variant(product=product, size=v.size, sku=v.sku, stock=v.stock, position=position)
        for product, spec in zip(products, chunk)
        for position, v in enumerate(spec.variants)
    ])
    ProductImage.objects.bulk_create([
        _store_photo(product, data) for product, data in zip(products, photos)
    ])


def _store_photo(product: Product, data: bytes) -> ProductImage:
    name = f"products/demo/{product.external_id}.jpg"
    if default_storage.exists(name):  # left over from a run that was rolled back
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(data))
    return ProductImage(product=product, image=stored, position=0, alt_text=product.name[:200],
                        sha256=hashlib.sha256(data).hexdigest())


def _categories(paths: set[tuple[str, ...]]) -> dict[tuple[str, ...], Category]:
    """Finds or creates each path's chain of categories; returns the leaf for each path."""
    found: dict[tuple[str, ...], Category] = {}
    for path in sorted(paths):
        parent = None
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in found:
                found[key] = _category(name=key[-1], parent=parent, position=_POSITION.get(key, 0))
            parent = found[key]
    return {path: found[path] for path in paths}


def _category(*, name: str, parent: Category | None, position: int) -> Category:
    existing = Category.objects.filter(name=name, parent=parent).first()
    if existing:
        return existing
    # Another catalogue (an import) may already use the plain slug: qualify by the parent, then number.
    slug = base = slugify(name) or "category"
    if parent is not None and Category.objects.filter(slug=slug).exists():
        slug = base = f"{parent.slug}-{base}"
    counter = 2
    while Category.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return Category.objects.create(name=name, parent=parent, slug=slug, position=position)
