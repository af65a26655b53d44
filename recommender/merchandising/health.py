"""The health page's merchandising card: each current rule and the share of recommendation lists it touched.

In: nothing (the rules table and the effect counters of recommender.merchandising.effects). Out: `MerchRow`s for
the rules live now or scheduled, strongest first, with (lists touched, lists served) over the last day. Read from
the cached rule set, so no query on a hit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from recommender.merchandising.effects import touched_shares
from recommender.merchandising.selectors import live_rules
from recommender.ranking.rules import RuleKind, strongest_first


@dataclass(frozen=True)
class MerchRow:
    id: int
    name: str
    kind: str
    live: bool
    touched: int
    served: int

    @property
    def percent(self) -> str:
        return f"{100 * self.touched / self.served:.1f}" if self.served else "0.0"


def merchandising_rows() -> list[MerchRow]:
    """From the cached rule set (no query on a hit: the page keeps its query count)."""
    now = timezone.now()
    rules = sorted((r for r in live_rules() if r.ends_at is None or r.ends_at > now), key=strongest_first)
    shares = touched_shares(rule_ids=[r.id for r in rules], now=now)
    return [
        MerchRow(id=r.id, name=r.name, kind="bury" if r.kind == RuleKind.BOOST and r.factor < 1 else str(r.kind),
                 live=r.live(now), touched=shares.get(r.id, (0, 0))[0], served=shares.get(r.id, (0, 0))[1])
        for r in rules
    ]
