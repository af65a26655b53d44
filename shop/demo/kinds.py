"""What the demo shop sells: per kind of item, where it sits in the tree, who wears it, what it
costs, which sizes it comes in and the words that describe it; and the invented brands.

Plain data. `specs.py` draws products from it; the shopper simulation reads it back (price level
of a brand, which kinds go together).
"""

from __future__ import annotations

from dataclasses import dataclass

LETTER_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
WAIST_SIZES = {"men": ("28", "30", "32", "34", "36", "38"), "women": ("24", "26", "28", "30", "32")}
SHOE_SIZES = {"men": ("40", "41", "42", "43", "44", "45", "46"), "women": ("36", "37", "38", "39", "40", "41"),
              "unisex": ("37", "38", "39", "40", "41", "42", "43", "44", "45")}
HAT_SIZES = ("S/M", "L/XL")
ONE_SIZE = ("One size",)

ALL_PATTERNS = ("solid", "stripes", "checks", "dots", "floral")


@dataclass(frozen=True)
class Kind:
    key: str  # the silhouette's name in render.KINDS
    path: tuple[str, ...]  # category names, root first; the last is the article type
    noun: str
    genders: tuple[str, ...]
    price_band: tuple[int, int]  # (low, high) for a mid-priced brand, in the shop's currency
    sizes: str  # "letters", "waist", "shoes", "hats" or "one"
    patterns: tuple[str, ...]
    fabrics: tuple[str, ...]
    fits: tuple[str, ...]
    usages: tuple[str, ...]
    seasons: tuple[str, ...]
    detail: str  # a sentence for the description
    sleeve: str | None = None
    weight: int = 5  # how common the kind is in the shop


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("tshirt", ("Clothing", "Tops", "T-shirts"), "t-shirt", ("men", "women", "unisex"), (12, 40), "letters",
         ALL_PATTERNS, ("cotton", "organic cotton", "jersey", "linen-blend"), ("regular", "slim", "relaxed", "boxy"),
         ("Casual", "Sports"), ("Summer", "Spring"), "Short sleeves and a ribbed crew neck.", "short", 10),
    Kind("shirt", ("Clothing", "Tops", "Shirts"), "shirt", ("men", "women"), (25, 80), "letters",
         ALL_PATTERNS, ("oxford", "linen", "poplin", "flannel", "chambray"), ("regular", "slim", "relaxed"),
         ("Casual", "Formal", "Smart casual"), ("Spring", "Summer", "Fall", "Winter"),
         "Long sleeves, a classic collar and a chest pocket.", "long", 9),
    Kind("sweater", ("Clothing", "Tops", "Sweaters"), "sweater", ("men", "women", "unisex"), (35, 110), "letters",
         ALL_PATTERNS, ("merino", "lambswool", "cotton-knit", "cashmere-blend"), ("regular", "relaxed", "oversized"),
         ("Casual", "Smart casual"), ("Fall", "Winter"), "A crew neck with ribbed cuffs and hem.", "long", 7),
    Kind("jacket", ("Clothing", "Outerwear", "Jackets"), "jacket", ("men", "women"), (60, 220), "letters",
         ("solid", "checks", "stripes"), ("wool-blend", "tweed", "cotton twill", "corduroy", "linen"),
         ("regular", "slim", "tailored"), ("Formal", "Smart casual", "Casual"), ("Fall", "Winter", "Spring"),
         "Notch lapels, a two-button front and flap pockets.", "long", 6),
    Kind("dress", ("Clothing", "Dresses & skirts", "Dresses"), "dress", ("women",), (35, 140), "letters",
         ALL_PATTERNS, ("viscose", "cotton poplin", "linen", "crepe", "silk-blend"), ("A-line", "fit-and-flare",
                                                                                      "relaxed"),
         ("Casual", "Party", "Formal"), ("Summer", "Spring"), "Sleeveless, with a V neckline and a fitted waist.",
         "sleeveless", 8),
    Kind("skirt", ("Clothing", "Dresses & skirts", "Skirts"), "skirt", ("women",), (25, 90), "letters",
         ALL_PATTERNS, ("cotton", "wool-blend", "viscose", "linen"), ("A-line", "pleated", "flared"),
         ("Casual", "Formal", "Party"), ("Spring", "Summer", "Fall"), "A flat waistband and soft pleats.", None, 6),
    Kind("trousers", ("Clothing", "Bottoms", "Trousers"), "trousers", ("men", "women"), (35, 110), "waist",
         ("solid", "checks", "stripes"), ("cotton chino", "wool-blend", "linen", "corduroy", "twill"),
         ("slim", "straight", "tapered", "wide-leg"), ("Casual", "Formal", "Smart casual"),
         ("Spring", "Summer", "Fall", "Winter"), "Belt loops, slanted side pockets and a pressed crease.", None, 8),
    Kind("shorts", ("Clothing", "Bottoms", "Shorts"), "shorts", ("men", "women"), (18, 55), "waist",
         ALL_PATTERNS, ("cotton twill", "linen", "seersucker", "chambray"), ("regular", "relaxed"),
         ("Casual", "Sports"), ("Summer",), "Side pockets and turned-up hems.", None, 5),
    Kind("sneakers", ("Shoes", "Sneakers"), "sneakers", ("men", "women", "unisex"), (45, 150), "shoes",
         ("solid", "stripes", "checks"), ("canvas", "leather", "suede", "knit"), ("low-top",),
         ("Casual", "Sports"), ("Spring", "Summer", "Fall", "Winter"),
         "Lace-up, with a side stripe and a cushioned rubber sole.", None, 8),
    Kind("bag", ("Accessories", "Bags"), "handbag", ("women", "unisex"), (35, 180), "one",
         ("solid", "stripes", "checks", "floral"), ("leather", "canvas", "faux-leather", "suede"), ("structured",),
         ("Casual", "Formal"), ("Spring", "Summer", "Fall", "Winter"),
         "A top handle and a flap with a metal clasp.", None, 6),
    Kind("hat", ("Accessories", "Hats"), "hat", ("unisex", "men", "women"), (20, 70), "hats",
         ("solid", "stripes", "checks", "dots"), ("wool felt", "cotton canvas", "tweed"), ("wide-brim",),
         ("Casual",), ("Spring", "Summer", "Fall"), "A pinched crown, a wide brim and a contrasting band.", None, 4),
    Kind("scarf", ("Accessories", "Scarves"), "scarf", ("unisex", "women"), (18, 80), "one",
         ALL_PATTERNS, ("wool", "cashmere-blend", "silk", "cotton-modal"), ("long",), ("Casual",),
         ("Fall", "Winter"), "Generously long, finished with a fringe.", None, 4),
    Kind("sunglasses", ("Accessories", "Sunglasses"), "sunglasses", ("unisex",), (25, 160), "one",
         ("solid",), ("acetate", "recycled acetate"), ("square",), ("Casual",), ("Summer", "Spring"),
         "UV400 lenses in a rounded square frame.", None, 4),
)}

# Invented brands, each with a hidden price level: a multiplier on the kind's band.
BRANDS: dict[str, float] = {
    "Northloom": 1.0, "Maison Ardent": 1.7, "Quill & Fern": 1.2, "Saltmarsh": 0.8, "Kestrel": 1.0,
    "Atelier Brume": 1.6, "Fjordline": 1.1, "Oakmoss": 0.9, "Linnea": 1.3, "Portside": 0.7,
    "Velvet Owl": 1.4, "Marlowe & Co": 1.2,
}


def price_level(brand: str) -> str:
    """"budget", "mid" or "premium": how a shopper who watches prices sees a brand."""
    level = BRANDS.get(brand, 1.0)
    return "budget" if level < 0.95 else "premium" if level >= 1.3 else "mid"


def sizes_for(kind: Kind, *, gender: str) -> tuple[str, ...]:
    if kind.sizes == "letters":
        return LETTER_SIZES[:5] if gender == "women" else LETTER_SIZES
    if kind.sizes == "waist":
        return WAIST_SIZES["women" if gender == "women" else "men"]
    if kind.sizes == "shoes":
        return SHOE_SIZES[gender]
    if kind.sizes == "hats":
        return HAT_SIZES
    return ONE_SIZE


# Items that are bought together: what a shopper adds to a basket next to the first.
GOES_WITH: dict[str, tuple[str, ...]] = {
    "shirt": ("trousers", "jacket"), "trousers": ("shirt", "sneakers"), "tshirt": ("shorts", "sneakers"),
    "shorts": ("tshirt", "sunglasses"), "dress": ("sneakers", "bag"), "skirt": ("tshirt", "bag"),
    "jacket": ("scarf", "trousers"), "scarf": ("jacket", "hat"), "sweater": ("trousers", "scarf"),
    "sneakers": ("tshirt", "trousers"), "bag": ("dress", "sunglasses"), "hat": ("sunglasses", "scarf"),
    "sunglasses": ("hat", "shorts"),
}
