"""The demo products as plain data: `demo_product_specs(n=..., seed=...)` -> list[ProductSpec].

Pure and deterministic: product i depends only on (seed, i), so the first 24 of 600 are the 24
you get when asking for 24, and a rerun with more products only adds. Nothing here touches the
database or draws a picture; `catalogue.py` does both.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.text import slugify

from .kinds import BRANDS, KINDS, Kind, sizes_for
from .palette import COLOURS

PATTERN_WEIGHTS = {"solid": 45, "stripes": 15, "checks": 14, "dots": 12, "floral": 14}
# How a pattern reads in a name ("Linen striped shirt") and in a description ("in navy with ...").
PATTERN_WORDS = {"solid": "", "stripes": "striped", "checks": "checked", "dots": "polka-dot", "floral": "floral"}
PATTERN_PHRASES = {"solid": "", "stripes": " with contrast stripes", "checks": " with a gingham check",
                   "dots": " with polka dots", "floral": " with a floral print"}
USAGE_PHRASES = {"Casual": "everyday wear", "Sports": "sport and weekends", "Formal": "the office and occasions",
                 "Smart casual": "smart-casual days", "Party": "parties and evenings out"}
SOLD_OUT_PERCENT = 12  # share of sizes with no stock, so "in stock in my size" filters matter


@dataclass(frozen=True)
class VariantSpec:
    size: str
    sku: str
    stock: int


@dataclass(frozen=True)
class ProductSpec:
    number: int
    external_id: str
    kind: str
    category_path: tuple[str, ...]
    name: str
    slug: str
    description: str
    brand: str
    gender: str
    colour: str
    pattern: str
    season: str
    usage: str
    year: int
    attributes: dict
    price: Decimal
    variants: tuple[VariantSpec, ...]
    image_seed: int


def demo_product_specs(*, n: int, seed: int = 7) -> list[ProductSpec]:
    """n products with n different names. A name already taken by an earlier product gets more of its
    product's own words (fit, fabric, pattern), so the first k of n specs stay the k you get asking for k."""
    taken: set[str] = set()
    specs = []
    for number in range(1, n + 1):
        spec = demo_product_spec(number=number, seed=seed)
        name = next(candidate for candidate in _names(spec) if candidate.lower() not in taken)
        taken.add(name.lower())
        if name != spec.name:
            spec = replace(spec, name=name, slug=f"{slugify(name)[:190]}-{spec.external_id}")
        specs.append(spec)
    return specs


def _names(spec: ProductSpec):
    """The spec's own name, then longer ones from its attributes, then numbered ones (never exhausted)."""
    kind, attributes = KINDS[spec.kind], spec.attributes
    fabric, fit, colour = attributes["fabric"].replace("-", " "), attributes["fit"], spec.colour.lower()
    pattern = PATTERN_WORDS[spec.pattern]
    yield spec.name
    for words in ((fit, colour, fabric, kind.noun), (colour, fabric, pattern, kind.noun),
                  (fit, colour, pattern, fabric, kind.noun), (fit, fabric, pattern, kind.noun)):
        yield _sentence_case(" ".join(w for w in words if w))
    number = 2
    while True:
        yield f"{spec.name} no. {number}"
        number += 1


def demo_product_spec(*, number: int, seed: int) -> ProductSpec:
    rng = random.Random(f"demo-product|{seed}|{number}")
    kind = KINDS[_weighted(rng, {key: k.weight for key, k in KINDS.items()})]
    colour = rng.choice(list(COLOURS))
    pattern = _weighted(rng, {p: w for p, w in PATTERN_WEIGHTS.items() if p in kind.patterns})
    gender = rng.choice(kind.genders)
    fabric, fit = rng.choice(kind.fabrics), rng.choice(kind.fits)
    brand = rng.choice(list(BRANDS))
    season, usage = rng.choice(kind.seasons), rng.choice(kind.usages)
    name = _name(rng, kind=kind, colour=colour, pattern=pattern, fabric=fabric, fit=fit)
    external_id = f"demo-{number}"
    attributes = {"article_type": kind.path[-1], "pattern": pattern, "colour": colour.lower(), "fabric": fabric,
                  "fit": fit}
    if kind.sleeve:
        attributes["sleeve"] = kind.sleeve
    return ProductSpec(
        number=number, external_id=external_id, kind=kind.key, category_path=kind.path, name=name,
        slug=f"{slugify(name)[:190]}-{external_id}",
        description=_description(kind=kind, colour=colour, pattern=pattern, fabric=fabric, fit=fit, usage=usage,
                                 season=season),
        brand=brand, gender=gender, colour=colour, pattern=pattern, season=season, usage=usage,
        year=rng.choice((2023, 2024, 2025)), attributes=attributes, price=_price(rng, kind=kind, brand=brand),
        variants=_variants(rng, kind=kind, gender=gender, external_id=external_id),
        image_seed=rng.randrange(1_000_000),
    )


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _name(rng: random.Random, *, kind: Kind, colour: str, pattern: str, fabric: str, fit: str) -> str:
    fabric_word = fabric.replace("-", " ")
    if pattern == "solid":
        words = rng.choice([(colour, fabric_word, kind.noun), (fit, colour.lower(), kind.noun)])
    else:
        words = rng.choice([(fabric_word, PATTERN_WORDS[pattern], kind.noun),
                            (colour, PATTERN_WORDS[pattern], kind.noun)])
    return _sentence_case(" ".join(w for w in words if w))


def _sentence_case(text: str) -> str:
    return text[0].upper() + text[1:].lower()


def _description(*, kind: Kind, colour: str, pattern: str, fabric: str, fit: str, usage: str, season: str) -> str:
    cut = f"{fit}-fit" if fit in ("regular", "slim", "relaxed") else fit
    item = f"{cut} {kind.noun}" if kind.sizes in ("letters", "waist") else kind.noun
    if kind.noun in _PAIRS:
        item = f"pair of {item}"
    article = "An" if item[0].lower() in "aeiou" else "A"  # "An A-line skirt", "A slim-fit shirt"
    return (f"{article} {item} in {colour.lower()}{PATTERN_PHRASES[pattern]}, made from {fabric.replace('-', ' ')}. "
            f"{kind.detail} A {season.lower()} piece made for {USAGE_PHRASES.get(usage, usage.lower())}.")


_PAIRS = {"trousers", "shorts", "sneakers", "sunglasses"}


def _price(rng: random.Random, *, kind: Kind, brand: str) -> Decimal:
    low, high = kind.price_band
    whole = round((low + rng.random() * (high - low)) * BRANDS[brand])
    # Shops price in steps: .99 under a hundred, round numbers above it.
    if whole >= 100:
        return Decimal(f"{whole - whole % 5}.00")
    return Decimal(f"{max(whole, 5) - 1}.99")


def _variants(rng: random.Random, *, kind: Kind, gender: str, external_id: str) -> tuple[VariantSpec, ...]:
    variants = []
    for size in sizes_for(kind, gender=gender):
        roll = rng.randrange(100)
        stock = 0 if roll < SOLD_OUT_PERCENT else 1 + roll % 25
        variants.append(VariantSpec(size=size, sku=f"DEMO-{external_id[5:]}-{slugify(size).upper() or 'OS'}",
                                    stock=stock))
    return tuple(variants)
