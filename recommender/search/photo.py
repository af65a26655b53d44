"""Search the catalogue with a photo: decode safely, encode, find the nearest products, read the
likely category from the neighbours.

In: image bytes or a file-like upload, ``ProductFilters``. Out: ``PhotoSearchResult`` with up to k
``(product_id, similarity)`` pairs (cosine similarity in [-1, 1], higher is closer) and the predicted
category with its confidence in [0, 1] (the winner's share of the vote).

Where the photo is encoded: in the web process, with the shared image encoder built lazily on the
first search and cached per process (``get_encoder``). Measured on the 2-core machine (bench photo,
5,000 products): safe decode + encode of one photo 11 ms p50 with a warm model, the whole search
(decode + encode + filtered nearest SQL + vote) 27 ms p95. A Celery round trip would add the broker
hop (~2 ms), a copy of the upload through Redis and, above all, queueing behind embedding batches on
a busy worker, for no gain: a worker only pays off for a model too heavy to keep in every web
process, and Lite0 is ~20 MB. The cost is that model per web process and a one-off build (a few
seconds) on its first search.

The vote: each of the PHOTO_VOTE_K nearest products (unfiltered, so the shopper's filters cannot
bias what the photo *is*) votes for its leaf category with weight max(similarity, 0)^2; squaring
lets the close neighbours outvote a tail of loose ones. A weak vote names no category ("not sure"):
see ``vote_is_clear``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from recommender.conf import recommender_setting
from recommender.embeddings.encoders import get_encoder
from recommender.embeddings.loading import load_image
from recommender.vectors.compact import compact_source
from recommender.vectors.compact_store import compact_vectors_apply
from recommender.vectors.nearest import ProductFilters, nearest_products
from recommender.vectors.bulk import product_vectors_read
from recommender.vectors.store import encoder_for_serving
from shop.catalog.models import Product


# A category is named only when the leader holds at least 60 % of the vote and at least twice the
# runner-up's share: a split vote (a flat colour, a photo of something the shop does not sell) says
# "not sure" instead of a confident wrong category. A stricter share silences real photos faster than
# it catches more of those (docs/search.md, benchmarks/search/measure_vote.py).
VOTE_MIN_SHARE = 0.6
VOTE_MIN_LEAD = 2.0


def vote_is_clear(share: float, runner_up: float, /) -> bool:
    """Whether a leader with this share of the vote, against this runner-up share, may be named."""
    return share >= VOTE_MIN_SHARE and share >= VOTE_MIN_LEAD * runner_up


@dataclass(frozen=True)
class CategoryVote:
    leader: int | None  # the category with the most vote weight; None without neighbours
    confidence: float  # the leader's share of the total vote weight, 0..1
    runner_up: float = 0.0  # the second category's share, 0..1

    @property
    def category_id(self) -> int | None:
        """The predicted category: the leader when the vote is clear, else None ("not sure")."""
        return self.leader if self.leader is not None and vote_is_clear(self.confidence, self.runner_up) else None


@dataclass
class PhotoSearchResult:
    products: list[tuple[int, float]] = field(default_factory=list)  # (product id, similarity)
    vote: CategoryVote = CategoryVote(None, 0.0)
    encoder: str | None = None


def category_vote(neighbours: Sequence[tuple[int, float]], /) -> CategoryVote:
    """(category id, similarity) of each neighbour -> the weighted leader with its share and the
    runner-up's; ``category_id`` names it only when the vote is clear. Ties go to the category whose
    best neighbour is closest (the order given, nearest first)."""
    weights: dict[int, float] = defaultdict(float)
    first_seen: dict[int, int] = {}
    for position, (category_id, similarity) in enumerate(neighbours):
        weights[category_id] += max(float(similarity), 0.0) ** 2
        first_seen.setdefault(category_id, position)
    total = sum(weights.values())
    if not weights or total <= 0:
        return CategoryVote(None, 0.0)
    winner = max(weights, key=lambda c: (weights[c], -first_seen[c]))
    share = weights[winner] / total
    runner_up = max((w for c, w in weights.items() if c != winner), default=0.0) / total
    return CategoryVote(winner, share, runner_up)


def photo_vector(source, /, *, encoder: str) -> np.ndarray:
    """The upload's embedding. Raises loading.ImageRejected for anything that is not a usable image."""
    return photo_vectors(source, encoder=encoder)[0]


def photo_vectors(source, /, *, encoder: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(the upload's vector in `encoder`'s space, its raw vector when `encoder` is a compact one, else None)."""
    image = load_image(source, max_bytes=int(recommender_setting("PHOTO_MAX_BYTES")), draft_size=(256, 256))
    source_encoder = compact_source(encoder)
    if source_encoder is None:
        return get_encoder(encoder).embed([image])[0], None
    raw = get_encoder(source_encoder).embed([image])
    return compact_vectors_apply(raw, encoder=encoder)[0], raw[0]


def photo_search(
    *, source, filters: ProductFilters | None = None, k: int | None = None, encoder: str | None = None
) -> PhotoSearchResult:
    k = k or int(recommender_setting("PHOTO_SEARCH_K"))
    encoder = encoder or encoder_for_serving()
    vector, raw = photo_vectors(source, encoder=encoder)
    filters = filters or ProductFilters()
    vote_k = int(recommender_setting("PHOTO_VOTE_K"))
    unfiltered = nearest_products(vector=vector, encoder=encoder, k=max(vote_k, k if filters.is_empty else 0))
    hits = unfiltered[:k] if filters.is_empty else nearest_products(vector=vector, encoder=encoder, k=k, filters=filters)
    if raw is not None:
        hits = _reranked(hits, raw=raw, encoder=encoder)
    voters = unfiltered[:vote_k]
    categories = dict(Product.objects.filter(pk__in=[pid for pid, _ in voters]).values_list("pk", "category_id"))
    vote = category_vote([(categories[pid], 1.0 - d) for pid, d in voters if pid in categories])
    return PhotoSearchResult(products=[(pid, 1.0 - d) for pid, d in hits], vote=vote, encoder=encoder)


def _reranked(hits: list[tuple[int, float]], *, raw: np.ndarray, encoder: str) -> list[tuple[int, float]]:
    """Compact-vector hits put in the order of the raw vectors' cosine (distances too).

    The compact space finds the right products but blurs the finest differences: on 1,000 fashion-5k photos a
    flipped or cropped copy found its own product first 0.915 of the time in compact order, 0.935 in raw order
    (bench photo). Re-ranking the k hits reads k raw vectors: about a millisecond."""
    if not hits:
        return hits
    ids, vectors = product_vectors_read(encoder=compact_source(encoder), product_ids=[pid for pid, _ in hits])
    if not len(ids):
        return hits
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    distance = dict(zip(ids.tolist(), (1.0 - vectors @ (raw / max(float(np.linalg.norm(raw)), 1e-12))).tolist()))
    return sorted(((pid, distance.get(pid, d)) for pid, d in hits), key=lambda hit: (hit[1], hit[0]))
