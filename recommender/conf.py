"""The one accessor for recommender settings: `RECOMMENDER = {...}` in Django settings over these defaults."""

from django.conf import settings

DEFAULTS = {
    # Image encoder for new vectors (see recommender.embeddings.encoders). Old vectors keep serving
    # until the new encoder has covered the catalogue.
    "ENCODER": "lite0",
    "EMBED_BATCH_SIZE": 16,  # images per task and per forward pass
    "EMBED_MAX_ATTEMPTS": 3,  # a poison image ends `failed` instead of looping
    "EMBED_SOFT_TIME_LIMIT": 240,  # seconds per task
    "RECONCILE_BATCH": 512,  # images re-queued per reconciler run
    "RECONCILE_GRACE_SECONDS": 600,  # a pending row younger than this is assumed queued
    "HNSW_EF_SEARCH": 40,
    # Interactions (recommender.interactions): weight per kind, fixed when recorded.
    "INTERACTION_WEIGHTS": {"view": 1.0, "click": 1.5, "like": 3.0, "cart": 4.0, "purchase": 6.0},
    "COLLAPSE_KINDS": ("view", "click", "cart"),  # repeats within one window are one row
    "COLLAPSE_MINUTES": 30,
    # Behaviour signals (recommender.behaviour).
    "NEIGHBOURS_K": 30,  # co-viewed / co-bought neighbours kept per product
    "NEIGHBOURS_HALF_LIFE_DAYS": 30.0,  # a basket this old counts half
    "NEIGHBOURS_SHRINK": 2.0,  # cosine x c/(c+shrink): pairs seen together once or twice count less
    "SESSION_GAP_MINUTES": 30,  # co-viewed: a pause this long starts a new session
    "BASKET_GAP_HOURS": 24,  # co-bought: carts and purchases this close are one basket
    "BASKET_MAX_ITEMS": 100,  # larger sessions (crawlers) are left out of co-occurrence
    "POPULARITY_HALF_LIFE_DAYS": 30.0,
    "TRENDING_HALF_LIFE_DAYS": 2.0,
}


def recommender_setting(name: str):
    overrides = getattr(settings, "RECOMMENDER", {})
    if name in overrides:
        return overrides[name]
    return DEFAULTS[name]
