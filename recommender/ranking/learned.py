"""Rank with a learned model: the same pipeline as `rank.rank`, with the blend's score replaced by a model's.

In: candidates, `ProductFacts`, a `Shopper`, a `Request`, a `features.Context` and `model`: any object with
`predict(matrix) -> array` over `features.FEATURES` columns (a LightGBM booster, or a test double). Out: at most
`request.k` `Ranked` items in display order, scores in (0, 1): the logistic of the model's raw score.

MMR weighs relevance against similarity, relevance being each item's score over the best one. The logistic of a
ranker's raw score is no such scale: raw scores of 3 and 6 both map near 1, so diversity alone would reorder
them. MMR therefore gets exp(raw - best raw): the model's own margins, the best item 1, an item 1 behind in raw
score e^-1 (lambdarank's scores are log-odds-like).

merge -> filter -> features -> predict -> staff rules -> diversify (MMR) -> explain. Filters and exclusions run before the model,
so nothing the model likes can bring back an item they drop. The reason is the strongest evidence, ordered by
REASON_WEIGHTS (what a reason tells the shopper), not by the model: a model's score says how likely, not why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np

from .blend import Scored, blend
from .candidates import Candidate, ProductFacts, Request, Shopper, Source, merge
from .explain import Ranked
from .features import Context, features_matrix
from .filters import filter_candidates
from .rank import Ranking, diversify_steered
from .rules import Rules

# Which evidence speaks when several reached an item: their own past visit first, then what others did.
REASON_WEIGHTS: Mapping[str, float] = {
    Source.HISTORY: 1.0, Source.CO_BUY: 0.9, Source.COLLAB: 0.8, Source.PROFILE: 0.7, Source.CO_VIEW: 0.6,
    Source.SESSION: 0.5, Source.VISUAL: 0.5, Source.ATTRIBUTE: 0.3, Source.TRENDING: 0.2,
}


def learned_inputs(candidates: Iterable[Candidate], *, facts: Mapping[int, ProductFacts], shopper: Shopper,
                   request: Request, context: Context) -> tuple[list[Candidate], np.ndarray]:
    """The candidates that pass the filters and their feature matrix (what training and serving both use)."""
    kept = filter_candidates(merge(candidates), facts=facts, shopper=shopper, request=request)
    return kept, features_matrix(kept, facts=facts, context=context)


def rank_learned(candidates: Iterable[Candidate], **options) -> list[Ranked]:
    """`rank_learned_steered`'s items alone (same keyword arguments)."""
    return rank_learned_steered(candidates, **options).items


def rank_learned_steered(candidates: Iterable[Candidate], *, facts: Mapping[int, ProductFacts], shopper: Shopper,
                         request: Request, context: Context, model, mmr_lambda: float, cosine_floor: float = 0.0,
                         rules: Rules | None = None) -> Ranking:
    """As `rank_learned`, with the staff rules applied between the model's scores and MMR, and their effects."""
    kept, matrix = learned_inputs(candidates, facts=facts, shopper=shopper, request=request, context=context)
    if not kept:
        return diversify_steered([], facts=facts, shopper=shopper, request=request, mmr_lambda=mmr_lambda,
                                 rules=rules)
    raw = np.asarray(model.predict(matrix), dtype=np.float64).reshape(-1)
    relative = np.exp(np.clip(raw - raw.max(), -50.0, 0.0))
    scored = [Scored(c.product_id, float(rel), ()) for c, rel in zip(kept, relative)]
    scored.sort(key=lambda s: (-s.score, s.product_id))
    reasons = {s.product_id: s for s in blend(kept, weights=REASON_WEIGHTS, cosine_floor=cosine_floor)}
    scored = [Scored(item.product_id, item.score, reasons[item.product_id].contributions) for item in scored]
    ranking = diversify_steered(scored, facts=facts, shopper=shopper, request=request, mmr_lambda=mmr_lambda,
                                rules=rules)
    # Shown scores are the model's logistic (how likely), MMR having used the margins; a rule's item keeps its own.
    logistic = {c.product_id: 1.0 / (1.0 + math.exp(-max(min(r, 50.0), -50.0))) for c, r in zip(kept, raw)}
    return Ranking([replace(item, score=logistic[item.product_id])
                    if not item.rule_ids and item.product_id in logistic else item for item in ranking.items],
                   ranking.effects)
