"""A small but realistic shop for admin and dashboard tests: a row of every model staff manage, in every state.

`realistic_shop()` builds, and returns as a `Shop`: a category tree (with an empty leaf), products with sizes,
photos and vectors (ready, failed and pending embeddings; one product sold out, one inactive), text vectors for
most products, shoppers with views, likes and an order, signal rebuilds, ranking and visual evaluations, the
recommender's settings row, a group with a permission, and one Celery beat task of each schedule kind.

Vectors are of a small test encoder, `ENCODER` (16-d): call it under `settings.RECOMMENDER = SHOP_RECOMMENDER`
so the admin and the health page read them as the serving vectors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from shop.catalog.models import Category, ProductImage
from tests.factories import (
    LikeFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductImageFactory,
    UserFactory,
    VariantFactory,
    jpeg_bytes,
)

ENCODER = "toy16"
DIM = 16
SHOP_RECOMMENDER = {"ENCODER": ENCODER, "COMPACT_DIMS": 0}
SERVING_CACHE_KEY = "recommender:serving-encoder"

# (category path, name, brand, gender, colour, price, sizes with stock, photo colour)
PRODUCTS = [
    (("Clothing", "Tops", "T-shirts"), "Breton stripe tee", "Saltmarsh", "women", "White", "19.50",
     [("S", 3), ("M", 2)], (240, 240, 240)),
    (("Clothing", "Tops", "Shirts"), "Oxford shirt", "Northloom", "men", "Blue", "39.00",
     [("M", 6), ("L", 0)], (60, 90, 200)),
    (("Clothing", "Dresses"), "Polka-dot dress", "Linnea", "women", "Navy", "79.00",
     [("S", 2), ("M", 1)], (20, 30, 90)),
    (("Clothing", "Dresses"), "Linen wrap dress", "Linnea", "women", "Beige", "89.00",
     [("S", 0), ("M", 0)], (220, 200, 160)),  # sold out
    (("Shoes",), "Court sneakers", "Velvet Owl", "unisex", "White", "89.00", [("41", 2), ("42", 3)],
     (250, 250, 250)),
    (("Shoes",), "Suede loafers", "Kestrel", "men", "Brown", "120.00", [("42", 1)], (120, 70, 40)),
]


@dataclass
class Shop:
    owner: object
    shoppers: list = field(default_factory=list)
    categories: dict = field(default_factory=dict)
    products: list = field(default_factory=list)
    orders: list = field(default_factory=list)


def unit_vector(rng: np.random.Generator, dim: int = DIM) -> np.ndarray:
    vector = rng.normal(size=dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def low_rank_vectors(*, n: int, dim: int = 96, rank: int = 12, seed: int = 0) -> np.ndarray:
    """Unit rows that mostly live in a `rank`-d subspace, as image embeddings do (what a compact fit needs)."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, dim)) + 0.05 * rng.normal(size=(n, dim))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def category_tree(paths) -> dict[tuple[str, ...], Category]:
    found: dict[tuple[str, ...], Category] = {}
    for path in paths:
        parent = None
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in found:
                found[key] = Category.objects.create(
                    name=key[-1], slug="-".join(part.lower() for part in key).replace(" ", "-"), parent=parent,
                    position=len(found),
                )
            parent = found[key]
    return found


def realistic_shop(*, seed: int = 5) -> Shop:
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from recommender.conf import recommender_setting
    from recommender.models import (
        EmbeddingStatus,
        EvaluationKind,
        EvaluationRun,
        ImageEmbedding,
        Interaction,
        InteractionKind,
        ProductEmbedding,
        RecommenderSettings,
        SignalRebuild,
        TextEmbedding,
    )
    from recommender.models.text import TEXT_DIM
    from recommender.recommend.weights import recommender_settings_save

    rng = np.random.default_rng(seed)
    now = timezone.now()
    owner = UserFactory(username="owner", is_staff=True, is_superuser=True)
    shop = Shop(owner=owner, shoppers=[UserFactory(username="ada"), UserFactory(username="grace")])
    shop.categories = category_tree([p[0] for p in PRODUCTS] + [("Accessories", "Scarves")])  # Scarves: empty
    for n, (path, name, brand, gender, colour, price, sizes, rgb) in enumerate(PRODUCTS):
        product = ProductFactory(
            name=name, slug=name.lower().replace(" ", "-"), brand=brand, gender=gender, base_colour=colour,
            price=Decimal(price), category=shop.categories[path], external_id=f"demo-{n}",
            description=f"A {colour.lower()} {name.lower()} from {brand}.", attributes={"colour": colour.lower()},
            is_active=name != "Suede loafers",
        )
        for position, (size, stock) in enumerate(sizes):
            VariantFactory(product=product, size=size, sku=f"{product.slug.upper()}-{size}", stock=stock,
                           position=position)
        photos = [ProductImage.objects.create(product=product, image=_photo(rgb, f"{product.slug}.jpg"),
                                              alt_text=name)]
        if n == 0:  # a second photo, of another shade
            photos.append(ProductImageFactory(product=product, position=1))
        shop.products.append(product)
        # Photo states an owner meets: most ready, one that failed with its reason, one still pending.
        status = {4: EmbeddingStatus.FAILED, 5: EmbeddingStatus.PENDING}.get(n, EmbeddingStatus.READY)
        vectors = []
        for photo in photos:
            vector = unit_vector(rng) if status == EmbeddingStatus.READY else None
            ImageEmbedding.objects.update_or_create(
                image=photo, encoder=ENCODER,
                defaults={"sha256": photo.sha256 if vector is not None else "", "status": status, "vector": vector,
                          "attempts": 3 if status == EmbeddingStatus.FAILED else 1,
                          "error": "This file is damaged or incomplete." if status == EmbeddingStatus.FAILED else ""},
            )
            if vector is not None:
                vectors.append(vector)
        if vectors:
            ProductEmbedding.objects.create(product=product, encoder=ENCODER, vector=np.mean(vectors, axis=0),
                                            images=len(vectors))
        if n < 4:  # two products still wait for their text vector
            TextEmbedding.objects.create(product=product, model=recommender_setting("TEXT_MODEL"),
                                         text_sha256="0" * 64, vector=unit_vector(rng, TEXT_DIM))

    ada, grace = shop.shoppers
    for shopper, picks in ((ada, shop.products[:3]), (grace, shop.products[2:5])):
        for minutes, product in enumerate(picks):
            Interaction.objects.create(user=shopper, product=product, kind=InteractionKind.VIEW, weight=1.0,
                                       created_at=now - timedelta(days=3, minutes=minutes))
        LikeFactory(user=shopper, product=picks[0])
    order = OrderFactory(user=ada, total=Decimal("98.50"))
    for product in shop.products[:2]:
        OrderLineFactory(order=order, variant=product.variants.first(), unit_price=product.price)
    shop.orders.append(order)

    SignalRebuild.objects.create(kind="full", generation=2, started_at=now - timedelta(minutes=20, seconds=2),
                                 finished_at=now - timedelta(minutes=20), seconds=1.4,
                                 events=6, pairs=12, products=5)
    EvaluationRun.objects.create(
        kind=EvaluationKind.RANKING, k=10, step="done", progress=1.0, finished_at=now - timedelta(hours=2),
        results=ranking_results(),
    )
    EvaluationRun.objects.create(kind=EvaluationKind.VISUAL, k=10, step="done", progress=1.0, finished_at=now,
                                 results={"p_at_10": 0.61, "products": 5, "p_at_10_raw": 0.58})
    recommender_settings_save(RecommenderSettings(weights={"co_view": 1.2, "trending": 0.3}, notes="typed by staff"))
    _experiments()
    Group.objects.create(name="Catalogue editors").permissions.add(
        Permission.objects.get(codename="change_product"))

    every_15_min = IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="0", hour="4")
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("51.5"), longitude=Decimal("-0.12"))
    ClockedSchedule.objects.create(clocked_time=now + timedelta(days=1))
    PeriodicTask.objects.create(name="rebuild-signals", task="recommender.tasks.rebuild_signals_task",
                                interval=every_15_min, kwargs=json.dumps({"full": False}))
    return shop


def ranking_results(*, hybrid_recall: float = 0.1075, popularity_recall: float = 0.0338) -> dict:
    """An evaluation's results as the runner writes them (default weights only, so hybrid == hybrid_default)."""

    def metrics(recall: float, diversity: float) -> dict:
        return {"ndcg": round(recall * 0.6, 4), "precision": round(recall / 5, 4), "recall": recall,
                "map": round(recall * 0.35, 4), "coverage": 0.8, "diversity": diversity}

    hybrid = metrics(hybrid_recall, 0.26)
    sources = {"popularity": metrics(popularity_recall, 0.61), "visual": metrics(0.0718, 0.30),
               "co_view": metrics(0.0992, 0.54), "co_buy": metrics(0.0522, 0.57), "profile": metrics(0.0862, 0.17),
               "hybrid": hybrid, "hybrid_default": dict(hybrid)}
    return {"k": 10, "split": "test", "shoppers": 275, "held_out": 590, "catalogue": 600, "sources": sources,
            "weights": {"default": {"co_view": 1.2}}, "hybrid_vs_best_single": 1.24}


def _photo(rgb, name):
    from django.core.files.base import ContentFile

    return ContentFile(jpeg_bytes(colour=rgb, size=(96, 120)), name=name)


def _experiments() -> None:
    """One experiment that ran (stopped, with impressions) and one draft."""
    from recommender.experiments.services import experiment_create, experiment_start, experiment_stop

    arms = [{"name": "control", "share": 50, "is_control": True},
            {"name": "heavier-trending", "share": 50, "weights": {"trending": 0.9}}]
    ran = experiment_start(experiment=experiment_create(name="Trending weight", arms=arms))
    experiment_stop(experiment=ran)
    experiment_create(name="Popularity control", arms=[arms[0], {"name": "popular", "share": 50,
                                                                "control": "popularity"}])
