"""Blend: candidates and per-source weights in, one score per product out, best first.

In: merged candidates (see `candidates.merge`), `weights` mapping source name -> weight >= 0. A source missing from
`weights` is switched off (weight 0), and a product reached only by switched-off sources is dropped. An unknown
name or a negative weight raises `ValueError`.

Per-source normalisation, to put every source on one [0, 1] scale:
- visual, profile, session (cosines), co_view, co_buy (behaviour's association scores) and attribute are absolute:
  comparable across requests, so used as they are (negatives clipped to 0). Rescaling them to the request's best
  would turn a poor best neighbour (cosine 0.4, or a pair seen together once) into a perfect one.
- trending is relative: its scale is set by the catalogue's single best seller and is heavy-tailed (the top item 1,
  the tenth 0.05). It becomes sqrt(s / max s) over this request's trending candidates: the request's best trending
  item counts fully, one a quarter as popular counts half, and every item the source reached stays above 0. Not
  min-max: that sends the weakest reached item to 0, the same as not reached, and is undefined for one candidate.
  Not rank-based: that depends on how many rows the selector fetched and spaces 100 / 99 / 3 evenly.
- cosine sources (visual, profile, session) are first rescaled from [cosine_floor, 1] to [0, 1]: an image encoder's
  cosines are crowded high (lite0 on the demo catalogue: median of random pairs 0.40, 95th percentile 0.74, the
  40th nearest neighbour 0.68), so used raw every look-alike counts as strong evidence and swamps the behaviour
  sources. The floor (RECOMMENDER["COSINE_FLOOR"], 0.7, chosen on the validation split with the weights) says
  where "looks alike" starts to mean something (below it a cosine keeps a token BELOW_FLOOR x cosine, so a rail of
  look-alikes alone stays in similarity order); 0 leaves the cosines as they are.
- several pieces of evidence from one source (a cart of three items) combine by noisy-or, 1 - prod(1 - n_i): bounded
  by 1 so a weight keeps its meaning, yet an item tied to two cart items beats one tied to one.

Score = sum_s w_s * n_s / sum of all weights, in [0, 1]. Agreement between sources is rewarded by the sum itself (an
item two sources reach outranks one that one reaches at equal strength); no extra bonus, which would count the
same agreement twice and be one more knob to tune. Ties break by product id, so the order is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .candidates import COSINE_SOURCES, Candidate, Evidence, Source

_SOURCE_ORDER = {source: i for i, source in enumerate(Source)}
BELOW_FLOOR = 1e-3  # what a cosine under the floor is worth, per unit of cosine


@dataclass(frozen=True, slots=True)
class Contribution:
    source: Source
    value: float  # this source's share of the product's score: w_s * n_s / sum of weights
    evidence: Evidence  # the strongest piece of evidence from this source: its anchor names the reason


@dataclass(frozen=True, slots=True)
class Scored:
    product_id: int
    score: float  # in [0, 1]
    contributions: tuple[Contribution, ...]  # strongest first; ties in source declaration order


def check_weights(weights: Mapping[str, float]) -> dict[Source, float]:
    known = {s.value for s in Source}
    unknown = sorted(set(weights) - known)
    if unknown:
        raise ValueError(f"unknown sources in weights: {unknown}; known: {sorted(known)}")
    checked = {Source(name): float(w) for name, w in weights.items()}
    bad = {s.value: w for s, w in checked.items() if not (math.isfinite(w) and w >= 0)}
    if bad:
        raise ValueError(f"weights must be finite and >= 0, got {bad}")
    if sum(checked.values()) <= 0:
        raise ValueError("at least one weight must be positive")
    return checked


def normalised_evidence(candidates: Iterable[Candidate], *, cosine_floor: float = 0.0
                        ) -> dict[int, list[tuple[Evidence, float]]]:
    """Each product's evidence with its score on the common [0, 1] scale."""
    if not 0.0 <= cosine_floor < 1.0:
        raise ValueError(f"cosine_floor must be in [0, 1), got {cosine_floor}")
    candidates = list(candidates)
    best: dict[Source, float] = {}
    for c in candidates:
        for e in c.evidence:
            if e.source.is_relative:
                best[e.source] = max(best.get(e.source, 0.0), e.score)
    out: dict[int, list[tuple[Evidence, float]]] = {}
    for c in candidates:
        for e in c.evidence:
            if e.source.is_relative:
                top = best[e.source]
                n = math.sqrt(e.score / top) if top > 0 else 0.0
            elif e.source in COSINE_SOURCES:
                if e.score > cosine_floor:
                    n = min((e.score - cosine_floor) / (1.0 - cosine_floor), 1.0)
                else:  # below the floor: next to nothing, but still in cosine order ("Looks like this" keeps it)
                    n = BELOW_FLOOR * max(e.score, 0.0)
            else:
                n = min(max(e.score, 0.0), 1.0)
            out.setdefault(c.product_id, []).append((e, n))
    return out


def _strongest_first(item: tuple[Evidence, float]) -> tuple:
    e, n = item
    return (-n, e.anchor_id is None, e.anchor_id or 0, e.label or "")


def blend(candidates: Iterable[Candidate], *, weights: Mapping[str, float], cosine_floor: float = 0.0,
          normalised: Mapping[int, list[tuple[Evidence, float]]] | None = None) -> list[Scored]:
    """Score every candidate; best first, ties by product id. Candidates should be merged first. `normalised`:
    `normalised_evidence(candidates, cosine_floor=...)` when the caller has it already (the same candidates)."""
    w = check_weights(weights)
    total = sum(w.values())
    scored = []
    if normalised is None:
        normalised = normalised_evidence(candidates, cosine_floor=cosine_floor)
    for product_id, items in normalised.items():
        by_source: dict[Source, list[tuple[Evidence, float]]] = {}
        for e, n in items:
            by_source.setdefault(e.source, []).append((e, n))
        if not any(w.get(source, 0.0) > 0 for source in by_source):
            continue  # reached only by switched-off sources
        contributions = []
        for source, found in by_source.items():
            found.sort(key=_strongest_first)
            combined = 1.0 - math.prod(1.0 - n for _, n in found)
            contributions.append(Contribution(source, w.get(source, 0.0) * combined / total, found[0][0]))
        contributions.sort(key=lambda c: (-c.value, _SOURCE_ORDER[c.source]))
        scored.append(Scored(product_id, sum(c.value for c in contributions), tuple(contributions)))
    scored.sort(key=lambda s: (-s.score, s.product_id))
    return scored
