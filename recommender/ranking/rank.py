"""The one entry point: candidates from every source in, the k items to show out, each with its reason.

In: candidates (any number per product, from any sources), `ProductFacts` for every candidate and, where known,
for anchors (for their names), a `Shopper`, a `Request`, `weights` (source name -> weight >= 0, e.g.
`recommender_setting("WEIGHTS")`, passed in by the caller: this package reads no settings) and `mmr_lambda` in
[0, 1]. Out: at most `request.k` `Ranked` items in display order, scores in [0, 1].

merge -> filter -> blend -> staff rules -> diversify (MMR) -> explain. The rules (`rules.Rules`, None: none) drop
what staff excluded, re-score what they boosted or buried, and place pins and hand-picked items around the
diversified list (see `recommender.ranking.rules`); `rank_steered` also returns what each rule did.

Cold start needs no special case: a new product brings only
visual neighbours, a new guest only trending and their session's neighbours, and those rank on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .blend import blend
from .candidates import Candidate, ProductFacts, Request, Shopper, Source, merge
from .diversify import mmr
from .explain import Ranked, explain
from .filters import filter_candidates
from .rules import Effect, Rules, steer

DEFAULT_MMR_LAMBDA = 0.7


@dataclass(frozen=True, slots=True)
class Ranking:
    items: list[Ranked]
    effects: tuple[Effect, ...] = ()  # what each staff rule did to this list


def rank_steered(
    candidates: Iterable[Candidate],
    *,
    facts: Mapping[int, ProductFacts],
    shopper: Shopper,
    request: Request,
    weights: Mapping[str, float],
    mmr_lambda: float = DEFAULT_MMR_LAMBDA,
    cosine_floor: float = 0.0,
    rules: Rules | None = None,
) -> Ranking:
    kept = filter_candidates(merge(candidates), facts=facts, shopper=shopper, request=request)
    scored = blend(kept, weights=weights, cosine_floor=cosine_floor)
    return diversify_steered(scored, facts=facts, shopper=shopper, request=request, mmr_lambda=mmr_lambda,
                             rules=rules)


def diversify_steered(scored, *, facts: Mapping[int, ProductFacts], shopper: Shopper, request: Request,
                      mmr_lambda: float, rules: Rules | None) -> Ranking:
    """Staff rules, then MMR over what they leave, then explain; pins and picks laid out last."""
    steered = steer(scored, rules=rules, facts=facts, shopper=shopper, request=request)
    free = _viewed_before if request.history_beside else None
    shown = [explain(item, facts=facts) for item in mmr(steered.pool, facts=facts, k=steered.room,
                                                          mmr_lambda=mmr_lambda, free=free)]
    if not steered.effects:
        return Ranking(shown)
    placed = {pid for pid, _ in steered.pins.values()} | {pid for pid, _ in steered.picks}
    reasons = {s.product_id: explain(s, facts=facts) for s in scored if s.product_id in placed}
    return Ranking(steered.lay_out(shown, sources=reasons), tuple(steered.effects))


def _viewed_before(item) -> bool:
    return bool(item.contributions) and item.contributions[0].source == Source.HISTORY


def rank(candidates: Iterable[Candidate], **options) -> list[Ranked]:
    """`rank_steered`'s items alone (same keyword arguments), for callers that do not show the rules' effects."""
    return rank_steered(candidates, **options).items
