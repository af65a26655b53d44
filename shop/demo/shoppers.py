"""Demo shoppers: accounts named demo-shopper-NNN (unusable passwords: nobody signs in as them) and
eight weeks of simulated browsing sent as the shop's events (shop/events.py), so whatever listens
(the recommender) has a history to learn from on first run.

In: how many shoppers, a seed, the end of the simulated period. Out: a `ShopperSummary` with
counts per event. Each shopper has hidden tastes (2-3 favourite kinds, colours, patterns, a price
level, a department); sessions of views lead to likes, cart additions and purchases, and a basket
often pairs items that go together (shirt + trousers, dress + sneakers; see kinds.GOES_WITH).
Deterministic: the same seed, catalogue and `end` send the same events in the same order.
Orders are simulated, not placed: no Order rows exist, so `order_placed` carries order_id=None,
and stock is left untouched.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from shop import events
from shop.catalog.models import Product, Variant

from .kinds import GOES_WITH, KINDS, price_level

WEEKS = 8
SENDER = "shop.demo.shoppers"
_KIND_BY_ARTICLE = {kind.path[-1]: key for key, kind in KINDS.items()}


@dataclass
class ShopperSummary:
    created: int = 0
    existing: int = 0
    events: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        sent = ", ".join(f"{n} {name}" for name, n in sorted(self.events.items())) or "no events"
        return f"created {self.created} demo shoppers ({self.existing} already present); sent {sent}"


@dataclass(frozen=True)
class _Item:
    product_id: int
    kind: str
    colour: str
    pattern: str
    level: str
    gender: str
    variant_ids: tuple[int, ...]  # in stock


@dataclass(frozen=True)
class _Taste:
    kinds: tuple[str, ...]
    colours: tuple[str, ...]
    patterns: tuple[str, ...]
    level: str
    department: str

    def score(self, item: _Item) -> float:
        """How much this shopper wants the item: 0.05 (indifferent) up to about 8."""
        if item.gender not in (self.department, "unisex"):
            return 0.05
        return (0.2 + 3.0 * (item.kind in self.kinds) + 1.5 * (item.colour in self.colours)
                + 1.0 * (item.pattern in self.patterns) + 1.0 * (item.level == self.level))


def shopper_username(number: int) -> str:
    return f"demo-shopper-{number:03d}"


def demo_shoppers_create(
    *, shoppers: int = 300, seed: int = 7, simulate: bool = True, end: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ShopperSummary:
    User = get_user_model()
    names = [shopper_username(i) for i in range(1, shoppers + 1)]
    present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([User(username=name, email=f"{name}@demo.invalid", password=make_password(None))
                              for name in names if name not in present])
    summary = ShopperSummary(created=len(names) - len(present), existing=len(present))
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    items = _catalogue() if simulate else []
    end = end or timezone.now().replace(minute=0, second=0, microsecond=0)
    for number, name in enumerate(names, start=1):
        if items:
            _simulate(users[name], number=number, seed=seed, items=items, end=end, counts=summary.events)
        if on_progress:
            on_progress(1)
    return summary


def _catalogue() -> list[_Item]:
    """The active catalogue as plain data, in two queries; items with nothing in stock are left out."""
    in_stock: dict[int, list[int]] = {}
    for variant_id, product_id in (Variant.objects.filter(stock__gt=0, product__is_active=True)
                                   .order_by("product_id", "position", "id").values_list("id", "product_id")):
        in_stock.setdefault(product_id, []).append(variant_id)
    items = []
    for pid, attributes, colour, brand, gender in (Product.objects.filter(is_active=True, id__in=in_stock)
                                                   .order_by("id")
                                                   .values_list("id", "attributes", "base_colour", "brand",
                                                                "gender")):
        kind = _KIND_BY_ARTICLE.get((attributes or {}).get("article_type"))
        if kind:
            items.append(_Item(pid, kind, colour, attributes.get("pattern", "solid"), price_level(brand), gender,
                               tuple(in_stock[pid])))
    return items


def _taste(rng: random.Random, items: list[_Item]) -> _Taste:
    department = rng.choice(("women", "men"))
    kinds = sorted({i.kind for i in items if i.gender in (department, "unisex")})
    colours = sorted({i.colour for i in items})
    return _Taste(
        kinds=tuple(rng.sample(kinds, min(len(kinds), rng.choice((2, 3))))),
        colours=tuple(rng.sample(colours, min(len(colours), rng.choice((2, 3))))),
        patterns=tuple(rng.sample(["solid", "stripes", "checks", "dots", "floral"], rng.choice((1, 2)))),
        level=rng.choices(("budget", "mid", "premium"), weights=(3, 5, 2))[0],
        department=department,
    )


def _simulate(user, *, number: int, seed: int, items: list[_Item], end: datetime, counts: Counter) -> None:
    rng = random.Random(f"shopper|{seed}|{number}")
    taste = _taste(rng, items)
    scores = [taste.score(item) for item in items]
    cumulative = list(itertools.accumulate(s**3 for s in scores))  # cubed: tastes show clearly
    pick = lambda: items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]  # noqa: E731
    by_kind: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_kind.setdefault(item.kind, []).append(index)
    start = end - timedelta(weeks=WEEKS)
    session_starts = sorted(start + timedelta(seconds=rng.uniform(0, WEEKS * 7 * 86400))
                            for _ in range(rng.randint(3, 10)))
    for s, at in enumerate(session_starts):
        session_key = f"demo-{seed}-{number}-{s}"
        basket: dict[_Item, int] = {}  # item -> the variant (size) put in the cart

        def send(signal, **kwargs):
            nonlocal at
            at += timedelta(seconds=rng.randint(15, 150))
            signal.send_robust(sender=SENDER, user=user, session_key=session_key, at=at, **kwargs)
            counts[_NAMES[signal]] += 1

        for _ in range(rng.randint(3, 12)):
            item = pick()
            send(events.product_viewed, product_id=item.product_id)
            keen = taste.score(item) / 7.5
            if rng.random() < 0.25 * keen:
                send(events.product_liked, product_id=item.product_id, liked=True)
            if item not in basket and rng.random() < 0.18 * keen:
                basket[item] = rng.choice(item.variant_ids)
                send(events.cart_item_added, product_id=item.product_id, variant_id=basket[item], quantity=1)
                partner = _partner(rng, item, taste=taste, items=items, by_kind=by_kind)
                if partner is not None and partner not in basket and rng.random() < 0.6:
                    send(events.product_viewed, product_id=partner.product_id)
                    basket[partner] = rng.choice(partner.variant_ids)
                    send(events.cart_item_added, product_id=partner.product_id, variant_id=basket[partner],
                         quantity=1)
        if basket and rng.random() < 0.65:
            send(events.order_placed, order_id=None,
                 items=[(item.product_id, variant_id, 1) for item, variant_id in basket.items()])


def _partner(rng: random.Random, item: _Item, *, taste: _Taste, items: list[_Item],
             by_kind: dict[str, list[int]]) -> _Item | None:
    """Something that goes with `item`, chosen by the shopper's taste among three candidates."""
    candidates = [i for kind in GOES_WITH.get(item.kind, ()) for i in by_kind.get(kind, ())
                  if items[i].gender in (taste.department, "unisex")]
    if not candidates:
        return None
    shortlist = [items[i] for i in rng.sample(candidates, min(3, len(candidates)))]
    return max(shortlist, key=taste.score)


_NAMES = {events.product_viewed: "views", events.product_liked: "likes", events.cart_item_added: "cart additions",
          events.order_placed: "orders"}
