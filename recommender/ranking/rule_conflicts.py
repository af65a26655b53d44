"""Conflicts between staff rules, said in words for admin: which rule wins and what happens to the other.

In: `Rule`s (recommender.ranking.rules) and `ProductFacts` of the products they pin or pick (to see which an
exclusion matches), and `now` (for new-arrival conditions). Out: `Conflict(rule_id, other_id, message)` pairs, each
listed under both rules. Two rules conflict only when they can meet: overlapping validity, placement, rail and scope.
How each conflict resolves is the conflict rule of `recommender.ranking.rules` (restated in CONFLICT_RULE).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .candidates import ProductFacts
from .rules import Rule, RuleKind, strongest_first

CONFLICT_RULE = (
    "Hard filters (stock, the shopper's size, price, active) come first: a pinned or picked product that fails them "
    "is skipped. An exclusion beats every other rule. Boosts and buries matching one product multiply. Otherwise the "
    "higher priority wins, then the more specific scope (a product, then a category, then everyone), then the older "
    "rule; a pin whose position is taken moves to the next free one. Hand-picked complements fill the first free "
    "places, pins keep their positions."
)


@dataclass(frozen=True, slots=True)
class Conflict:
    rule_id: int
    other_id: int
    message: str


def _overlap(a: Rule, b: Rule) -> bool:
    if a.starts_at is not None and b.ends_at is not None and a.starts_at >= b.ends_at:
        return False
    if b.starts_at is not None and a.ends_at is not None and b.starts_at >= a.ends_at:
        return False
    if a.placement is not None and b.placement is not None and a.placement != b.placement:
        return False
    if a.rail and b.rail and a.rail != b.rail:
        return False
    if a.anchor_id is not None and b.anchor_id is not None and a.anchor_id != b.anchor_id:
        return False
    if a.anchor_category_ids is not None and b.anchor_category_ids is not None \
            and not a.anchor_category_ids & b.anchor_category_ids:
        return False
    return True


def conflicts(rules: Sequence[Rule], *, facts: Mapping[int, ProductFacts], now: datetime) -> list[Conflict]:
    ordered = sorted(rules, key=strongest_first)
    found: list[Conflict] = []

    def both(a: Rule, b: Rule, message: str) -> None:
        found.append(Conflict(a.id, b.id, message))
        found.append(Conflict(b.id, a.id, message))

    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:  # a is the stronger
            if not _overlap(a, b):
                continue
            if a.kind == b.kind == RuleKind.PIN:
                if a.position == b.position:
                    both(a, b, f"Both pin at position {a.position}: rule {a.id} wins, rule {b.id} moves to the next "
                               "free position.")
                elif a.product_id == b.product_id:
                    both(a, b, f"Both pin product {a.product_id}: it stays at rule {a.id}'s position {a.position}.")
            if a.kind == b.kind == RuleKind.COMPLEMENTS and a.anchor_id == b.anchor_id:
                both(a, b, f"Both hand-pick complements for product {a.anchor_id}: rule {a.id}'s picks come first "
                           "and its fill counts.")
            for excluding, other in ((a, b), (b, a)):
                if excluding.kind != RuleKind.EXCLUDE or other.kind not in (RuleKind.PIN, RuleKind.COMPLEMENTS):
                    continue
                shown = (other.product_id,) if other.kind == RuleKind.PIN else other.picks
                hit = [pid for pid in shown if pid in facts and excluding.condition.matches(facts[pid], now=now)]
                if hit:
                    both(excluding, other, f"Rule {excluding.id} excludes product{'s' if len(hit) > 1 else ''} "
                                           f"{', '.join(map(str, hit))} that rule {other.id} shows: it is never "
                                           "shown.")
    return found
