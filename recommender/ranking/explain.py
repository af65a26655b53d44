"""Explain: one short reason per recommended item, from its strongest weighted evidence.

In: a `blend.Scored` (its contributions strongest first) and `ProductFacts` by id, for anchor names that the
evidence did not carry. Out: `Ranked(product_id, score, reason, source, anchor_id)`; score as blended, in [0, 1].

Reasons, by source (with an anchor / without one):
  history    "You viewed this {label}" ("last week")              / "You viewed this before"
  collab     "Shoppers like you bought this"
  visual     "Looks like {anchor}"                                / "Similar look"
  co_buy     "Often bought with {anchor}"                         / "Often bought together"
  co_view    "Customers who viewed {anchor} also viewed this"     / "Often viewed together"
  profile    "Because you liked {anchor}"                         / "Matches your style"
  session    "Because you viewed {anchor}"                        / "Based on your visit"
  attribute  "In your favourite {label}"                          / "Matches your preferences"
  trending   "Trending in {label}"                                / "Trending now"
An anchor whose name is unknown falls back to the anchorless reason rather than show an id.

A reason that names one of the shopper's products ("Because you liked X") says more than a category or a trend, so
it is shown when its evidence weighs at least NAMED_REASON_SHARE of the strongest; otherwise the strongest speaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .blend import Scored
from .candidates import Evidence, ProductFacts, Source

# source -> (template using {anchor} or {label}, fallback without it)
REASONS: Mapping[Source, tuple[str, str]] = {
    Source.HISTORY: ("You viewed this {label}", "You viewed this before"),
    Source.COLLAB: ("Shoppers like you bought this", "Shoppers like you bought this"),
    Source.VISUAL: ("Looks like {anchor}", "Similar look"),
    Source.CO_BUY: ("Often bought with {anchor}", "Often bought together"),
    Source.CO_VIEW: ("Customers who viewed {anchor} also viewed this", "Often viewed together"),
    Source.PROFILE: ("Because you liked {anchor}", "Matches your style"),
    Source.SESSION: ("Because you viewed {anchor}", "Based on your visit"),
    Source.ATTRIBUTE: ("In your favourite {label}", "Matches your preferences"),
    Source.TRENDING: ("Trending in {label}", "Trending now"),
}


@dataclass(frozen=True, slots=True)
class Ranked:
    product_id: int
    score: float  # blended score in [0, 1]
    reason: str
    source: Source | None  # the source of the reason; None for an item staff picked that no source reached
    anchor_id: int | None = None  # the product the reason names, if any (to link it)
    rule_ids: tuple[int, ...] = ()  # the staff rules that placed or re-scored it (recommender.ranking.rules)
    picked: bool = False  # pinned or hand-picked by staff: the reason is "Picked by our stylists"

    @property
    def viewed_before(self) -> bool:
        """Shown because the shopper viewed it before (its reason is the history source's), and not placed by staff:
        what the home page's "Pick up where you left off" rail holds (recommender.rails.home_rails)."""
        return self.source == Source.HISTORY and not self.picked


def reason_for(evidence: Evidence, *, facts: Mapping[int, ProductFacts]) -> tuple[str, int | None]:
    template, fallback = REASONS[evidence.source]
    if "{label}" in template:
        return (template.format(label=evidence.label), None) if evidence.label else (fallback, None)
    name = evidence.anchor_name
    if name is None and evidence.anchor_id is not None and evidence.anchor_id in facts:
        name = facts[evidence.anchor_id].name
    if not name:
        return fallback, None
    return template.format(anchor=name), evidence.anchor_id


NAMED_REASON_SHARE = 0.5


def explain(item: Scored, *, facts: Mapping[int, ProductFacts]) -> Ranked:
    strongest = item.contributions[0]
    reason, anchor_id = reason_for(strongest.evidence, facts=facts)
    if anchor_id is None:
        for contribution in item.contributions[1:]:
            if contribution.value < NAMED_REASON_SHARE * strongest.value:
                break
            named, named_id = reason_for(contribution.evidence, facts=facts)
            if named_id is not None:
                return Ranked(item.product_id, item.score, named, contribution.source, named_id)
    return Ranked(item.product_id, item.score, reason, strongest.source, anchor_id)
