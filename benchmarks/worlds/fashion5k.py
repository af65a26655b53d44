"""The fashion-5k evaluation world: the real catalogue (../shared/data/fashion-5k, imported with import_catalog) and
simulated shoppers of a design unlike the demo's (shop/demo/shoppers.py), recorded through the recommender's own
interaction path (`recommender.interactions.services.interactions_record_bulk`).

In: the imported catalogue (active products with article type, colour, usage, gender, price, in-stock variants),
a number of shoppers, a seed, the end of the simulated period. Out: accounts `f5k-shopper-NNNN` and their events.

Design, and how it differs from the demo's (hidden favourite kinds, colours and a price level, scored by fixed
bonuses, with "goes with" pairs by kind):
- **Latent tastes that attributes explain only in part.** Each shopper has a taste vector θ (LATENT dims, normal);
  each product a latent position β = A[article type] + B[colour] + C[usage] + ε, where ε (same size as the
  attribute part) is the product's own, attribute-free character: two black T-shirts can sit far apart.
- **Department.** A shopper shops one department (men / women, a few unisex items) and, rarely, another.
- **Price sensitivity.** Each shopper's utility loses λ · log(price / their type's median price), λ log-normal,
  so some shoppers stay cheap and others do not mind.
- **Popularity only behaviour shows.** Each product has a hidden appeal (log-normal): a few items everyone likes.
- **Items bought together.** Each product has two hidden companions of complementary article types (a shirt's
  trousers, a dress's shoes); buying one leads to carting a companion with probability COMPANION_P. No attribute
  says which, only co-purchases do.
- **Returning to an item seen before.** A shopper keeps what they viewed and did not buy; a buying session starts
  by going back to one of those with probability RETURN_P (chosen by utility and recency) and buys it: the
  "viewed before, not bought" regularity, with the purchase in a later session than the views.
- **Multi-session histories with timestamps.** 3-14 sessions over WEEKS weeks, gaps exponential; a session browses
  one or two article types of their department by softmax utility (with a temperature), 3-12 views; about 45 % of
  sessions cart something, most of those buy, some carts are abandoned. Sizes: one letter, waist and shoe size per
  shopper, bought when in stock.
Deterministic for a seed, a catalogue and `end`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from recommender.interactions.services import InteractionEvent, interactions_record_bulk
from shop.catalog.models import Product, Variant

LATENT = 8
WEEKS = 10
COMPANION_P = 0.35
RETURN_P = 0.5
BUY_P = 0.45
TEMPERATURE = 0.7
USERNAME = "f5k-shopper-{:04d}"
COMPLEMENTS = {
    "Tshirts": ("Jeans", "Shorts", "Casual Shoes", "Track Pants"), "Shirts": ("Trousers", "Jeans", "Formal Shoes"),
    "Tops": ("Jeans", "Skirts", "Heels", "Flats"), "Kurtas": ("Leggings", "Churidar", "Sandals"),
    "Dresses": ("Heels", "Handbags", "Flats"), "Jeans": ("Tshirts", "Casual Shoes", "Belts"),
    "Trousers": ("Shirts", "Formal Shoes", "Belts"), "Casual Shoes": ("Socks", "Jeans", "Tshirts"),
    "Sports Shoes": ("Socks", "Track Pants", "Tshirts"), "Formal Shoes": ("Socks", "Trousers", "Belts"),
    "Heels": ("Handbags", "Dresses"), "Handbags": ("Heels", "Sunglasses", "Wallets"),
    "Watches": ("Sunglasses", "Wallets"), "Sunglasses": ("Watches", "Caps"), "Sweatshirts": ("Jeans", "Track Pants"),
}


@dataclass
class _Catalogue:
    ids: np.ndarray
    kinds: np.ndarray  # article type index
    kind_names: list[str]
    genders: np.ndarray  # str
    prices: np.ndarray
    latent: np.ndarray  # [n, LATENT]
    appeal: np.ndarray  # [n]
    companions: dict[int, list[int]]  # row -> rows
    variants: dict[int, list[tuple[int, str]]]  # row -> in-stock (variant id, size)


def _catalogue(rng: np.random.Generator) -> _Catalogue:
    rows = list(Product.objects.filter(is_active=True).order_by("pk")
                .values_list("pk", "category__name", "base_colour", "usage", "gender", "price"))
    kind_names = sorted({r[1] for r in rows})
    colours = sorted({r[2] for r in rows})
    usages = sorted({r[3] for r in rows})
    a = rng.standard_normal((len(kind_names), LATENT))
    b = 0.6 * rng.standard_normal((len(colours), LATENT))
    c = 0.4 * rng.standard_normal((len(usages), LATENT))
    kinds = np.array([kind_names.index(r[1]) for r in rows])
    attribute_part = a[kinds] + b[[colours.index(r[2]) for r in rows]] + c[[usages.index(r[3]) for r in rows]]
    latent = attribute_part + float(np.std(attribute_part)) * rng.standard_normal(attribute_part.shape)
    index = {r[0]: i for i, r in enumerate(rows)}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_kind[r[1]].append(i)
    companions = {}
    for i, r in enumerate(rows):
        pool = [j for name in COMPLEMENTS.get(r[1], ()) for j in by_kind.get(name, ())
                if rows[j][4] in (r[4], "unisex")]
        companions[i] = [int(j) for j in rng.choice(pool, size=min(2, len(pool)), replace=False)] if pool else []
    variants: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for vid, pid, size in Variant.objects.filter(product_id__in=list(index), stock__gt=0).order_by("pk") \
            .values_list("pk", "product_id", "size"):
        variants[index[pid]].append((vid, size))
    return _Catalogue(ids=np.array([r[0] for r in rows]), kinds=kinds, kind_names=kind_names,
                      genders=np.array([r[4] for r in rows]), prices=np.array([float(r[5]) for r in rows]),
                      latent=latent, appeal=rng.lognormal(0.0, 0.8, len(rows)), companions=companions,
                      variants=variants)


def _size(variants: list[tuple[int, str]], sizes: dict[str, str]) -> int | None:
    if not variants:
        return None
    for vid, size in variants:
        if size in sizes.values():
            return vid
    return variants[0][0]


def _simulate(user_id: int, cat: _Catalogue, rng: np.random.Generator, *, end: datetime) -> list[InteractionEvent]:
    theta = rng.standard_normal(LATENT)
    department = rng.choice(["men", "women"])
    price_sensitivity = rng.lognormal(-0.3, 0.6)
    sizes = {"letter": rng.choice(["S", "M", "L", "XL"]), "waist": rng.choice(["30", "32", "34"]),
             "shoe": rng.choice(["38", "40", "42", "44"])}
    mine = np.flatnonzero(np.isin(cat.genders, [department, "unisex"]))
    if not len(mine):
        return []
    medians = {k: np.median(cat.prices[mine][cat.kinds[mine] == k]) for k in np.unique(cat.kinds[mine])}
    utility = (cat.latent[mine] @ theta / np.sqrt(LATENT) + 0.5 * np.log(cat.appeal[mine])
               - price_sensitivity * np.log(cat.prices[mine] / np.array([medians[k] for k in cat.kinds[mine]])))
    kind_taste = defaultdict(list)
    for u, k in zip(utility, cat.kinds[mine]):
        kind_taste[k].append(u)
    kinds = np.array(sorted(kind_taste))
    kind_utility = np.array([np.mean(sorted(kind_taste[k])[-5:]) for k in kinds])
    kind_p = np.exp((kind_utility - kind_utility.max()) / TEMPERATURE)
    kind_p /= kind_p.sum()
    sessions = int(rng.integers(3, 15))
    at = end - timedelta(weeks=WEEKS)
    gaps = rng.exponential(1.0, sessions)
    gaps = gaps / gaps.sum() * (WEEKS * 7 * 0.95)
    events: list[InteractionEvent] = []
    viewed_not_bought: dict[int, datetime] = {}
    bought: set[int] = set()

    def record(kind: str, row: int, when: datetime, variant: int | None = None) -> None:
        events.append(InteractionEvent(kind, int(cat.ids[row]), user_id=user_id, at=when, variant_id=variant))

    for s in range(sessions):
        at = at + timedelta(days=float(gaps[s]))
        when = at
        buying = rng.random() < BUY_P
        if buying and viewed_not_bought and rng.random() < RETURN_P:
            rows = list(viewed_not_bought)
            age = np.array([(at - viewed_not_bought[r]).days for r in rows], dtype=float)
            score = np.array([utility[np.searchsorted(mine, r)] for r in rows]) - age / 14.0
            p = np.exp(score - score.max())
            row = rows[int(rng.choice(len(rows), p=p / p.sum()))]
            record("view", row, when)
            when += timedelta(minutes=2)
            variant = _size(cat.variants[row], sizes)
            record("cart", row, when, variant)
            record("purchase", row, when + timedelta(minutes=3), variant)
            bought.add(row)
            viewed_not_bought.pop(row, None)
            when += timedelta(minutes=5)
            buying = rng.random() < 0.3  # sometimes they browse on and buy something else as well
        session_kinds = rng.choice(kinds, size=int(rng.integers(1, 3)), p=kind_p)
        pool = np.flatnonzero(np.isin(cat.kinds[mine], session_kinds))
        u = utility[pool] / TEMPERATURE + rng.gumbel(size=len(pool))
        views = pool[np.argsort(-u)[: int(rng.integers(3, 13))]]
        rng.shuffle(views)
        for v in views:
            record("view", int(mine[v]), when)
            if int(mine[v]) not in bought:
                viewed_not_bought[int(mine[v])] = when
            when += timedelta(minutes=float(rng.uniform(0.5, 4)))
        if buying and len(views):
            best = int(mine[views[np.argmax(utility[views])]])
            variant = _size(cat.variants[best], sizes)
            record("cart", best, when, variant)
            if rng.random() < COMPANION_P and cat.companions[best]:
                partner = int(rng.choice(cat.companions[best]))
                if cat.genders[partner] in (department, "unisex"):
                    record("view", partner, when + timedelta(minutes=1))
                    record("cart", partner, when + timedelta(minutes=2), _size(cat.variants[partner], sizes))
                    if rng.random() < 0.8:
                        record("purchase", partner, when + timedelta(minutes=4), _size(cat.variants[partner], sizes))
                        bought.add(partner)
            if rng.random() < 0.8:  # else an abandoned cart
                record("purchase", best, when + timedelta(minutes=4), variant)
                bought.add(best)
                viewed_not_bought.pop(best, None)
    return [e for e in events if e.at <= end]


def fashion5k_shoppers_create(*, shoppers: int = 400, seed: int = 11, end: datetime | None = None,
                              on_progress=None) -> dict:
    end = end or timezone.now()
    rng = np.random.default_rng(seed)
    cat = _catalogue(rng)
    if not len(cat.ids):
        raise ValueError("the catalogue is empty: import ../shared/data/fashion-5k with import_catalog first")
    users = get_user_model()
    created, events = 0, 0
    password = make_password(None)
    for n in range(shoppers):
        user, new = users.objects.get_or_create(username=USERNAME.format(n), defaults={"password": password})
        created += new
        if new:
            batch = _simulate(user.pk, cat, np.random.default_rng([seed, n]), end=end)
            events += interactions_record_bulk(events=batch)
        if on_progress:
            on_progress(1)
    return {"shoppers": shoppers, "created": created, "events": events}
