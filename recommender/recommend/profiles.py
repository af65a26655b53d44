"""Style profiles: what a shopper's behaviour says about their taste, in a fixed number of queries.

In: a user and/or a guest session key. Out: `StyleProfile`:
- `vector`: the decayed, kind-weighted mean of the (unit) vectors of the products they interacted
  with, itself unit length (None when none of their products has a vector yet);
- `liked`: (product id, unit vector) of their strongest liked, carted or bought items, for
  "Because you liked X" anchors (a mere view never makes a shopper "like" something);
- `categories`: {category id: share of their decayed weight}, shares sum to 1;
- `sizes`: {"tops"|"bottoms"|"shoes": sizes}: the profile page's sizes, else sizes they bought;
- `bought_ids`, `recent_ids` (viewed in the last hours, newest first) for exclusions and session rails.

Weights: the interaction's recorded weight (view 1 … purchase 6) × 0.5 ** (age / half-life).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.models import Interaction, InteractionKind
from recommender.recommend.facts import size_type_of
from recommender.vectors.store import encoder_for_serving, unit_vectors
from shop.accounts.models import Profile
from shop.catalog.models import Product, Variant

SESSION_HOURS = 6  # "this visit": views within these hours seed the session rail
LIKED_ANCHORS = 8


@dataclass
class StyleProfile:
    vector: np.ndarray | None = None
    liked: list[tuple[int, np.ndarray]] = field(default_factory=list)
    categories: dict[int, float] = field(default_factory=dict)
    sizes: dict[str, frozenset[str]] = field(default_factory=dict)
    bought_ids: frozenset[int] = frozenset()
    recent_ids: tuple[int, ...] = ()
    interactions: int = 0

    @property
    def is_new(self) -> bool:
        return self.interactions == 0


def style_profile_for(*, user=None, session_key: str | None = None, now=None) -> StyleProfile:
    now = now or timezone.now()
    history = _history(user=user, session_key=session_key)
    profile = StyleProfile(interactions=len(history))
    profile.sizes = _profile_sizes(user)
    if not history:
        return profile
    half_life = float(recommender_setting("PROFILE_HALF_LIFE_DAYS"))
    weights: dict[int, float] = defaultdict(float)
    recent: list[int] = []
    committed: set[int] = set()  # liked, carted or bought: what "Because you liked X" may name
    bought_variants: list[int] = []
    for product_id, kind, weight, created_at, variant_id in history:
        age_days = max((now - created_at).total_seconds(), 0) / 86400
        weights[product_id] += weight * 0.5 ** (age_days / half_life)
        if kind == InteractionKind.VIEW and now - created_at <= timedelta(hours=SESSION_HOURS):
            if product_id not in recent:
                recent.append(product_id)
        if kind in (InteractionKind.LIKE, InteractionKind.CART, InteractionKind.PURCHASE):
            committed.add(product_id)
        if kind == InteractionKind.PURCHASE:
            bought_variants.append(variant_id)
    profile.recent_ids = tuple(recent)
    profile.bought_ids = frozenset(pid for pid, kind, *_ in history if kind == InteractionKind.PURCHASE)
    categories = dict(Product.objects.filter(pk__in=list(weights)).values_list("pk", "category_id"))
    total = sum(weights.values()) or 1.0
    for product_id, weight in weights.items():
        if product_id in categories:
            profile.categories[categories[product_id]] = profile.categories.get(categories[product_id], 0) + weight / total
    vectors = _vectors(list(weights))
    if vectors:
        ids = list(vectors)
        matrix = np.stack([vectors[i] for i in ids])
        w = np.array([weights[i] for i in ids], dtype=np.float32)
        mean = (matrix * w[:, None]).sum(axis=0)
        norm = float(np.linalg.norm(mean))
        profile.vector = mean / norm if norm > 0 else None
        strongest = sorted((i for i in ids if i in committed), key=lambda i: (-weights[i], i))[:LIKED_ANCHORS]
        profile.liked = [(i, vectors[i]) for i in strongest]
    if not profile.sizes and bought_variants:
        profile.sizes = _bought_sizes([v for v in bought_variants if v])
    return profile


def _history(*, user, session_key):
    who = {}
    rows = Interaction.objects.none()
    if user is not None and getattr(user, "pk", None) is not None:
        rows = Interaction.objects.filter(user_id=user.pk)
        who = {"user": True}
    if session_key:
        guest = Interaction.objects.filter(user__isnull=True, session_key=session_key)
        rows = rows | guest if who else guest
    limit = int(recommender_setting("PROFILE_HISTORY_LIMIT"))
    return list(
        rows.order_by("-created_at", "-id").values_list("product_id", "kind", "weight", "created_at", "variant_id")[
            :limit
        ]
    )


def _vectors(product_ids: list[int]) -> dict[int, np.ndarray]:
    vectors = unit_vectors(product_ids=product_ids, encoder=encoder_for_serving())
    return {product_id: v for product_id, v in vectors.items() if v is not None}


def _profile_sizes(user) -> dict[str, frozenset[str]]:
    if user is None or getattr(user, "pk", None) is None:
        return {}
    sizes = Profile.objects.filter(user_id=user.pk).values_list("sizes", flat=True).first() or {}
    return {kind: frozenset([str(size)]) for kind, size in sizes.items() if size}


def _bought_sizes(variant_ids: list[int]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for size, category_name, parent_name in Variant.objects.filter(pk__in=variant_ids).values_list(
        "size", "product__category__name", "product__category__parent__name"
    ):
        kind = size_type_of(sizes=[size], category_names=(category_name, parent_name or ""))
        if kind:
            found[kind].add(size)
    return {kind: frozenset(sizes) for kind, sizes in found.items()}
