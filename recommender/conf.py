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
}


def recommender_setting(name: str):
    overrides = getattr(settings, "RECOMMENDER", {})
    if name in overrides:
        return overrides[name]
    return DEFAULTS[name]
