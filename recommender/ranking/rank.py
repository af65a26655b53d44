"""The one entry point: candidates from every source in, the k items to show out, each with its reason.

In: candidates (any number per product, from any sources), `ProductFacts` for every candidate and, where known,
for anchors (for their names), a `Shopper`, a `Request`, `weights` (source name -> weight >= 0, e.g.
`recommender_setting("WEIGHTS")`, passed in by the caller: this package reads no settings) and `mmr_lambda` in
[0, 1]. Out: at most `request.k` `Ranked` items in display order, scores in [0, 1].

merge -> filter -> blend -> diversify (MMR) -> explain. Cold start needs no special case: a new product brings only
visual neighbours, a new guest only trending and their session's neighbours, and those rank on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .blend import blend
from .candidates import Candidate, ProductFacts, Request, Shopper, merge
from .diversify import mmr
from .explain import Ranked, explain
from .filters import filter_candidates

DEFAULT_MMR_LAMBDA = 0.7


def rank(
    candidates: Iterable[Candidate],
    *,
    facts: Mapping[int, ProductFacts],
    shopper: Shopper,
    request: Request,
    weights: Mapping[str, float],
    mmr_lambda: float = DEFAULT_MMR_LAMBDA,
    cosine_floor: float = 0.0,
) -> list[Ranked]:
    kept = filter_candidates(merge(candidates), facts=facts, shopper=shopper, request=request)
    scored = blend(kept, weights=weights, cosine_floor=cosine_floor)
    shown = mmr(scored, facts=facts, k=request.k, mmr_lambda=mmr_lambda)
    return [explain(item, facts=facts) for item in shown]
