"""Candidates from every source for one placement, in a fixed number of queries.

In: a placement ("product", "cart", "home"), its anchors (the product on the page, the cart's
products) and the shopper's `StyleProfile`. Out: `ranking.Candidate`s whose evidence carries
source scores in the ranges `recommender.ranking.candidates` documents:
- visual / session / profile: cosine similarity (1 - cosine distance) from pgvector;
- co_view / co_buy: the behaviour tables' association scores in [0, 1];
- trending: the decayed popularity (0..1, relative);
- attribute: the shopper's share of interest in the candidate's category, in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
from django.db.models import Subquery

from recommender.behaviour.selectors import co_occurring, trending
from recommender.conf import recommender_setting
from recommender.models import NeighbourKind, ProductSignal, SignalGeneration
from recommender.vectors.store import encoder_for_serving, neighbours_of_products
from recommender.recommend.profiles import StyleProfile
from recommender.ranking import Candidate, Source
from recommender.vectors.nearest import nearest_products

SESSION_ANCHORS = 3  # the latest views that seed "because you viewed"
FAVOURITE_CATEGORIES = 3  # categories whose trending items join a shopper's "for you" candidates


def _per_source() -> int:
    return int(recommender_setting("CANDIDATES_PER_SOURCE"))


def visual_candidates(*, anchor_ids: Sequence[int], source: Source = Source.VISUAL) -> list[Candidate]:
    """Products that look like each anchor: one query, one HNSW scan per anchor."""
    return visual_candidates_by_source({source: anchor_ids})


def visual_candidates_by_source(anchors: dict[Source, Sequence[int]]) -> list[Candidate]:
    """Look-alikes for several sources' anchors (e.g. session views and liked items) in one query."""
    neighbours = neighbours_of_products(product_ids=[a for ids in anchors.values() for a in ids], k=_per_source())
    return [
        Candidate.from_source(neighbour.product_id, source, 1.0 - neighbour.distance, anchor_id=anchor)
        for source, ids in anchors.items()
        for anchor in dict.fromkeys(ids)
        for neighbour in neighbours.get(anchor, [])
    ]


def behaviour_candidates(*, anchor_ids: Iterable[int], source: Source) -> list[Candidate]:
    """Co-viewed (Source.CO_VIEW) or co-bought (Source.CO_BUY) neighbours of the anchors: one query."""
    kind = NeighbourKind.CO_VIEWED if source == Source.CO_VIEW else NeighbourKind.CO_BOUGHT
    neighbours = co_occurring(product_ids=list(anchor_ids), kind=kind, k=_per_source())
    return [
        Candidate.from_source(neighbour, source, min(score, 1.0), anchor_id=anchor)
        for anchor, rows in neighbours.items()
        for neighbour, score in rows
    ]


def trending_candidates(*, exclude: Iterable[int] = ()) -> list[Candidate]:
    return [
        Candidate.from_source(product_id, Source.TRENDING, score)
        for product_id, score in trending(k=_per_source(), exclude=exclude)
    ]


def favourite_category_trending_candidates(*, profile: StyleProfile, categories: int = FAVOURITE_CATEGORIES,
                                           exclude: Iterable[int] = ()) -> list[Candidate]:
    """Trending within the shopper's favourite categories (by share of interest): one query.

    Scores are the catalogue-wide trending values (relative source), so an item trending in a small category still
    counts less than the shop's best seller; the attribute evidence added later says it is in a category they like.
    """
    favourite = [c for c, _ in sorted(profile.categories.items(), key=lambda kv: (-kv[1], kv[0]))[:categories]]
    if not favourite:
        return []
    rows = (ProductSignal.objects.filter(generation=Subquery(SignalGeneration.objects.filter(pk=1).values("current")[:1]),
                                         category_id__in=favourite, trending__gt=0)
            .exclude(product_id__in=list(exclude)).order_by("-trending", "product_id")
            .values_list("product_id", "trending")[: _per_source() * len(favourite)])
    return [Candidate.from_source(product_id, Source.TRENDING, score) for product_id, score in rows]


def profile_candidates(*, profile: StyleProfile) -> list[Candidate]:
    """Nearest to the taste vector (one HNSW scan). Anchors are set later from the facts' vectors."""
    if profile.vector is None:
        return []
    rows = nearest_products(vector=profile.vector, encoder=encoder_for_serving(), k=_per_source())
    return [Candidate.from_source(product_id, Source.PROFILE, max(1.0 - distance, 0.0)) for product_id, distance in rows]


def anchor_profile_evidence(candidates: list[Candidate], *, profile: StyleProfile, facts) -> list[Candidate]:
    """Pure: anchor each profile evidence at the liked product whose vector is closest ("Because you liked X")."""
    if not profile.liked:
        return candidates
    liked_ids = [pid for pid, _ in profile.liked]
    liked = np.stack([vector for _, vector in profile.liked])
    anchored = []
    for candidate in candidates:
        fact = facts.get(candidate.product_id)
        vector = fact.vector if fact is not None else None
        evidence = []
        for item in candidate.evidence:
            if item.source == Source.PROFILE and item.anchor_id is None and vector is not None \
                    and len(vector) == liked.shape[1]:
                item = replace(item, anchor_id=liked_ids[int(np.argmax(liked @ vector))])
            evidence.append(item)
        anchored.append(Candidate(candidate.product_id, tuple(evidence)))
    return anchored


def session_anchors(profile: StyleProfile) -> list[int]:
    """What they viewed this visit: looks-alike of these are new guests' first personal signal."""
    return list(profile.recent_ids[:SESSION_ANCHORS])


def session_candidates(*, profile: StyleProfile) -> list[Candidate]:
    return visual_candidates(anchor_ids=session_anchors(profile), source=Source.SESSION)


def attribute_candidates(*, candidates: Iterable[Candidate], profile: StyleProfile, facts) -> list[Candidate]:
    """Extra evidence for candidates in the shopper's favourite categories (share of interest, 0..1), labelled
    with the category's name for the reason ("In your favourite Skirts")."""
    if not profile.categories:
        return []
    best = max(profile.categories.values())
    found = []
    for candidate in candidates:
        fact = facts.get(candidate.product_id)
        share = profile.categories.get(fact.category_id) if fact is not None else None
        if share:
            found.append(Candidate.from_source(candidate.product_id, Source.ATTRIBUTE, share / best,
                                               label=fact.category_name or None))
    return found
