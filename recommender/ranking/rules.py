"""Staff rules (merchandising) applied to a blended list: pins, boosts and buries, exclusions, hand-picked complements.

In: the blend's `Scored` items best first, `ProductFacts` by id (for every candidate, every pinned or picked product
and the anchors), the `Shopper`, the `Request` and a `Rules` (plain frozen `Rule`s, the moment `now`, the rail and
the page's own anchors). Out: a `Steered` plan: the pool MMR diversifies and how many it takes (`room`), then
`Steered.lay_out` puts the pinned and picked items in their places; `effects` says what each rule did, for the admin
preview and the health page. No Django here: the rules arrive as data (recommender.merchandising.selectors).

The stated conflict rule (also shown in admin):
1. Hard filters first: a pinned or picked product that is inactive, out of stock, not in the shopper's size, outside
   the price range or category asked, already on the page or bought is skipped, never shown.
2. Exclusions beat everything: a product any live exclusion matches is never recommended, even when pinned or picked.
3. Boosts and buries that match one product all apply: their factors multiply. Scores are then divided by the
   largest when it is above 1, so they stay in [0, 1].
4. Rules are taken strongest first: higher priority, then the more specific scope (an anchor product, then a
   category, then everyone), then the older rule (lower id). A pin whose position is taken moves to the next free
   one; a product pinned twice keeps the stronger rule's position.
5. Hand-picked complements fill the first free places in their order (the strongest rule's picks first), then as
   many automatic items as the strongest complements rule allows (`fill`) on its rail; a whole placement's list
   (the API's, `rail` None) keeps its length. Pins keep their absolute positions.

A rule lives from `starts_at` (inclusive) to `ends_at` (exclusive); `now` decides, so a cached rule set still stops a
campaign at its end time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .blend import Scored
from .candidates import Placement, ProductFacts, Request, Shopper
from .explain import Ranked
from .filters import why_excluded

PICKED_REASON = "Picked by our stylists"


class RuleKind(StrEnum):
    PIN = "pin"
    BOOST = "boost"  # a factor above 1 boosts, below 1 buries
    EXCLUDE = "exclude"
    COMPLEMENTS = "complements"


@dataclass(frozen=True, slots=True)
class Condition:
    """Which products a boost or an exclusion matches: every field given must hold (AND). Empty matches nothing."""

    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] | None = None  # the rule's category with its sub-categories
    brand: str = ""
    department: str = ""
    season: str = ""
    price_min: float | None = None
    price_max: float | None = None
    new_within_days: int | None = None  # created at most this many days before `now`
    attribute: tuple[str, str] | None = None  # (key, value) in the product's `attributes`, any case
    is_empty: bool = field(init=False, repr=False, compare=False, default=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_empty", not (
            self.product_ids or self.category_ids is not None or self.brand or self.department or self.season
            or self.price_min is not None or self.price_max is not None or self.new_within_days is not None
            or self.attribute is not None))

    def matches(self, facts: ProductFacts, *, now: datetime) -> bool:
        if self.is_empty:
            return False
        if self.product_ids and facts.product_id not in self.product_ids:
            return False
        if self.category_ids is not None and facts.category_id not in self.category_ids:
            return False
        if self.brand and facts.brand.strip().casefold() != self.brand.strip().casefold():
            return False
        if self.department and facts.department.casefold() != self.department.casefold():
            return False
        if self.season and facts.season.strip().casefold() != self.season.strip().casefold():
            return False
        if self.price_min is not None and facts.price < self.price_min:
            return False
        if self.price_max is not None and facts.price > self.price_max:
            return False
        if self.new_within_days is not None and (
                facts.created_at is None or facts.created_at < now - timedelta(days=self.new_within_days)):
            return False
        if self.attribute is not None:
            key, wanted = self.attribute
            value = facts.attributes.get(key)
            values = value if isinstance(value, (list, tuple)) else [value]
            if not any(v is not None and str(v).casefold() == wanted.casefold() for v in values):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    kind: RuleKind
    name: str = ""
    priority: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    placement: Placement | None = None  # None: every placement
    rail: str = ""  # "": every rail of the placement
    anchor_id: int | None = None  # scope: only where this product is the page's (or the cart's) anchor
    anchor_category_ids: frozenset[int] | None = None  # scope: only where an anchor is in these categories
    condition: Condition = Condition()  # boost, exclude
    factor: float = 1.0  # boost
    product_id: int | None = None  # pin: the product shown
    position: int = 1  # pin: 1 = first
    picks: tuple[int, ...] = ()  # complements, in order
    fill: int = 0  # complements: automatic items after the picks

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RuleKind(self.kind))
        if self.placement is not None:
            object.__setattr__(self, "placement", Placement(self.placement))
        if not (math.isfinite(self.factor) and self.factor > 0):
            raise ValueError(f"rule {self.id}: factor must be a positive number, got {self.factor}")
        if self.position < 1 or self.fill < 0:
            raise ValueError(f"rule {self.id}: position must be >= 1 and fill >= 0")
        if self.kind == RuleKind.PIN and self.product_id is None:
            raise ValueError(f"rule {self.id}: a pin needs a product")
        if self.kind == RuleKind.COMPLEMENTS and (self.anchor_id is None or not self.picks):
            raise ValueError(f"rule {self.id}: complements need an anchor product and at least one pick")
        if self.kind in (RuleKind.BOOST, RuleKind.EXCLUDE) and self.condition.is_empty:
            raise ValueError(f"rule {self.id}: a {self.kind} needs a condition")

    @property
    def specificity(self) -> int:
        return 2 if self.anchor_id is not None else 1 if self.anchor_category_ids is not None else 0

    def live(self, now: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (self.ends_at is None or now < self.ends_at)

    def applies(self, *, placement: Placement, rail: str | None, anchor_ids: frozenset[int],
                anchor_category_ids: frozenset[int]) -> bool:
        if self.placement is not None and self.placement != placement:
            return False
        if rail is not None and self.rail and self.rail != rail:
            return False
        if self.anchor_id is not None and self.anchor_id not in anchor_ids:
            return False
        if self.anchor_category_ids is not None and not self.anchor_category_ids & anchor_category_ids:
            return False
        return True


class _Matcher:
    """The rules whose condition a product meets, in the rules' order; rules are looked up by their product,
    category or brand first, so a product is checked against the few rules that can match it, not all of them."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.order = {rule.id: i for i, rule in enumerate(rules)}
        self.by_product: dict[int, list[Rule]] = {}
        self.by_category: dict[int, list[Rule]] = {}
        self.by_brand: dict[str, list[Rule]] = {}
        self.by_department: dict[str, list[Rule]] = {}
        self.rest: list[Rule] = []
        for rule in rules:
            condition = rule.condition
            if condition.product_ids:
                for pid in condition.product_ids:
                    self.by_product.setdefault(pid, []).append(rule)
            elif condition.category_ids is not None:
                for category in condition.category_ids:
                    self.by_category.setdefault(category, []).append(rule)
            elif condition.brand:
                self.by_brand.setdefault(condition.brand.strip().casefold(), []).append(rule)
            elif condition.department:
                self.by_department.setdefault(condition.department.casefold(), []).append(rule)
            else:
                self.rest.append(rule)

    def matching(self, facts: ProductFacts | None, *, now: datetime) -> list[Rule]:
        if facts is None or not self.order:
            return []
        found = self.rest
        product = self.by_product.get(facts.product_id)
        category = self.by_category.get(facts.category_id)
        brand = self.by_brand.get(facts.brand.strip().casefold()) if self.by_brand else None
        department = self.by_department.get(facts.department.casefold()) if self.by_department else None
        if product or category or brand or department:
            found = [*(product or ()), *(category or ()), *(brand or ()), *(department or ()), *self.rest]
        if not found:
            return []
        hits = [rule for rule in found if rule.condition.matches(facts, now=now)]
        return sorted(hits, key=lambda rule: self.order[rule.id]) if len(hits) > 1 else hits


def strongest_first(rule: Rule) -> tuple:
    return (-rule.priority, -rule.specificity, rule.id)


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules one request ranks with. `rail` None: the whole placement (the API's list, a feed), every rail's rules
    apply; a rail's name: that rail's and the placement-wide ones. `anchor_ids`: the page's own anchors (a rail's
    request also treats items shown in earlier rails as anchors; scopes must not)."""

    rules: tuple[Rule, ...] = ()
    now: datetime | None = None
    rail: str | None = None
    anchor_ids: frozenset[int] = frozenset()

    def product_ids(self) -> set[int]:
        """Pinned and picked products: their facts must be fetched with the candidates'."""
        return {pid for r in self.rules for pid in ((r.product_id,) if r.product_id is not None else r.picks)}

    def active(self, *, placement: Placement, facts: Mapping[int, ProductFacts]) -> list[Rule]:
        if self.now is None:
            raise ValueError("Rules need `now` to decide which rules are live")
        categories = frozenset(facts[a].category_id for a in self.anchor_ids if a in facts)
        live = [r for r in self.rules if r.live(self.now) and r.applies(
            placement=placement, rail=self.rail, anchor_ids=self.anchor_ids, anchor_category_ids=categories)]
        return sorted(live, key=strongest_first)


@dataclass(frozen=True, slots=True)
class Effect:
    rule_id: int
    product_id: int
    what: str  # "pinned at 1", "boosted x1.5", "buried x0.5", "excluded", "picked", "skipped: out of stock"
    applied: bool = True  # False: the rule wanted to act and could not (skipped)


@dataclass
class Steered:
    pool: list[Scored]  # what MMR diversifies
    room: int  # how many automatic items MMR takes
    length: int  # the list's length at most
    pins: dict[int, tuple[int, int]] = field(default_factory=dict)  # position (0-based) -> (product id, rule id)
    picks: list[tuple[int, int]] = field(default_factory=list)  # (product id, rule id) in order
    touched: dict[int, tuple[int, ...]] = field(default_factory=dict)  # product id -> boosting rules
    scores: dict[int, float] = field(default_factory=dict)  # every pool item's score after boosts
    effects: list[Effect] = field(default_factory=list)

    def lay_out(self, automatic: Sequence[Ranked], *, sources: Mapping[int, Ranked] | None = None) -> list[Ranked]:
        """Pins at their positions, picks in the first free places, then the automatic items; gaps close up."""
        touched = [replace(r, rule_ids=self.touched[r.product_id]) if r.product_id in self.touched else r
                   for r in automatic]
        flowing = [self._picked(pid, rule_id, sources) for pid, rule_id in self.picks] + touched
        slots: list[Ranked | None] = [None] * self.length
        for position, (pid, rule_id) in self.pins.items():
            slots[position] = self._picked(pid, rule_id, sources)
        it = iter(flowing)
        for i, slot in enumerate(slots):
            if slot is None:
                slots[i] = next(it, None)
        # What MMR took beyond the length (Request.history_beside) follows, in its order.
        return [s for s in slots if s is not None] + list(it)

    def _picked(self, product_id: int, rule_id: int, sources: Mapping[int, Ranked] | None) -> Ranked:
        known = (sources or {}).get(product_id)
        return Ranked(product_id, min(self.scores.get(product_id, 0.0), 1.0), PICKED_REASON,
                      known.source if known is not None else None, None, (rule_id,), True)


def steer(scored: Sequence[Scored], *, rules: Rules | None, facts: Mapping[int, ProductFacts], shopper: Shopper,
          request: Request) -> Steered:
    """Apply exclusions and boosts to the blended items and plan the pins and picks; see the module docstring."""
    active = rules.active(placement=request.placement, facts=facts) if rules is not None else []
    if not active:
        return Steered(pool=list(scored), room=request.k, length=request.k)
    now = rules.now
    effects: list[Effect] = []
    exclusions = _Matcher([r for r in active if r.kind == RuleKind.EXCLUDE])
    boosts = _Matcher([r for r in active if r.kind == RuleKind.BOOST])
    labels = {r.id: f"{'boosted' if r.factor >= 1 else 'buried'} x{r.factor:g}" for r in active
              if r.kind == RuleKind.BOOST}

    def excluded_by(pid: int) -> Rule | None:
        hits = exclusions.matching(facts.get(pid), now=now)
        return hits[0] if hits else None

    def unfit(pid: int) -> str | None:
        rule = excluded_by(pid)
        if rule is not None:
            return f"excluded by rule {rule.id}"
        reason = why_excluded(pid, facts.get(pid), shopper=shopper, request=request)
        if reason == "is the anchor":  # a rail's request also treats items shown in earlier rails as anchors
            return "the page's own product" if pid in rules.anchor_ids else "already shown in an earlier rail"
        return reason

    kept: list[Scored] = []
    touched: dict[int, tuple[int, ...]] = {}
    for item in scored:
        rule = excluded_by(item.product_id)
        if rule is not None:
            effects.append(Effect(rule.id, item.product_id, "excluded"))
            continue
        matched = boosts.matching(facts[item.product_id], now=now)
        if matched:
            factor = 1.0
            for boost in matched:
                factor *= boost.factor
                effects.append(Effect(boost.id, item.product_id, labels[boost.id]))
            touched[item.product_id] = tuple(boost.id for boost in matched)
            item = Scored(item.product_id, item.score * factor, item.contributions)
        kept.append(item)
    top = max((s.score for s in kept), default=0.0)
    if top > 1.0:
        kept = [Scored(s.product_id, s.score / top, s.contributions) for s in kept]
    if touched:
        kept.sort(key=lambda s: (-s.score, s.product_id))
    scores = {s.product_id: s.score for s in kept}

    taken: set[int] = set()
    picks: list[tuple[int, int]] = []
    complements = [r for r in active if r.kind == RuleKind.COMPLEMENTS]
    for rule in complements:
        for pid in rule.picks:
            if pid in taken:
                continue
            reason = unfit(pid)
            if reason is not None:
                effects.append(Effect(rule.id, pid, f"skipped: {reason}", applied=False))
                continue
            taken.add(pid)
            picks.append((pid, rule.id))
            effects.append(Effect(rule.id, pid, "picked"))
    pins_wanted = []
    for rule in (r for r in active if r.kind == RuleKind.PIN):
        reason = unfit(rule.product_id)
        if reason is None and rule.product_id in taken:
            reason = "already placed by a stronger rule"
        if reason is not None:
            effects.append(Effect(rule.id, rule.product_id, f"skipped: {reason}", applied=False))
            continue
        taken.add(rule.product_id)
        pins_wanted.append(rule)

    length = request.k
    if complements and rules.rail is not None:  # a rail's length; a whole placement's list (the API) keeps k
        length = min(request.k, len(picks) + complements[0].fill + len(pins_wanted))
    pins: dict[int, tuple[int, int]] = {}
    for rule in pins_wanted:
        position = rule.position - 1
        while position in pins:
            position += 1
        if position >= length:
            effects.append(Effect(rule.id, rule.product_id, f"skipped: position {rule.position} is beyond the "
                                                            f"{length} shown", applied=False))
            taken.discard(rule.product_id)
            continue
        pins[position] = (rule.product_id, rule.id)
        effects.append(Effect(rule.id, rule.product_id, f"pinned at {position + 1}"))
    # Picks beyond the list's length are not shown: say so rather than claim them.
    room_for_picks = length - len(pins)
    for pid, rule_id in picks[room_for_picks:]:
        effects.remove(Effect(rule_id, pid, "picked"))
        effects.append(Effect(rule_id, pid, "skipped: no room left in the list", applied=False))
    picks = picks[:max(room_for_picks, 0)]
    pool = [s for s in kept if s.product_id not in taken]
    return Steered(pool=pool, room=max(length - len(pins) - len(picks), 0), length=length, pins=pins, picks=picks,
                   touched=touched, scores=scores, effects=effects)


def excluded_ids(facts: Mapping[int, ProductFacts], *, rules: Rules, placement: Placement) -> set[int]:
    """The products among `facts` that a live exclusion removes (for lists ranked outside `rank`: similar items)."""
    exclusions = _Matcher([r for r in rules.active(placement=placement, facts=facts) if r.kind == RuleKind.EXCLUDE])
    return {pid for pid, fact in facts.items() if exclusions.matching(fact, now=rules.now)}
