"""Ranking: pure Python, no Django. Candidates in, ranked ids + scores + reasons out (see `rank.rank`)."""

from .blend import Contribution, Scored, blend
from .candidates import Candidate, Evidence, Placement, ProductFacts, Request, Shopper, Source, merge
from .diversify import mmr
from .explain import Ranked, explain
from .filters import filter_candidates, why_excluded
from .rank import DEFAULT_MMR_LAMBDA, rank

__all__ = [
    "DEFAULT_MMR_LAMBDA",
    "Candidate",
    "Contribution",
    "Evidence",
    "Placement",
    "ProductFacts",
    "Ranked",
    "Request",
    "Scored",
    "Shopper",
    "Source",
    "blend",
    "explain",
    "filter_candidates",
    "merge",
    "mmr",
    "rank",
    "why_excluded",
]
