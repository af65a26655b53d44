"""Label vocabularies for the trained encoder's heads, and the shopper-photo class rules.

In: the training items' label strings (leaf category, colour, department, usage, season, each ``attributes`` key).
Out: ``Vocab`` per head (value -> index; "" and values seen fewer than MIN_COUNT times are "unknown", index -1, and
train nothing), and ``SHOPPER_CLASSES``: each shopper-photo class (a folder of ../shared/data/shopper-photos) -> the
catalogue leaf categories (fashion-5k articleTypes) that are "the right kind" for it, as that data set's README says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

MIN_COUNT = 3  # a value seen fewer times than this cannot be learned or measured; it trains nothing
HEADS = ("category", "colour", "department", "usage", "season")

# shopper-photos/README.md: "pants -> Trousers, Jeans, Track Pants, Capris, Leggings; shoes -> every shoe type;
# outwear -> Jackets, Sweaters, Sweatshirts, Blazers; longsleeve -> Tshirts, Tops, Sweatshirts, Sweaters, Shirts;
# hat -> Caps, Hat". The classes it does not spell out map to their one article type (shorts also to the lounge kind).
SHOE_TYPES = ("Casual Shoes", "Sports Shoes", "Formal Shoes", "Heels", "Flats", "Sandals", "Flip Flops",
              "Sports Sandals", "Booties")
SHOPPER_CLASSES: dict[str, tuple[str, ...]] = {
    "dress": ("Dresses",),
    "hat": ("Caps", "Hat"),
    "longsleeve": ("Tshirts", "Tops", "Sweatshirts", "Sweaters", "Shirts"),
    "outwear": ("Jackets", "Sweaters", "Sweatshirts", "Blazers"),
    "pants": ("Trousers", "Jeans", "Track Pants", "Capris", "Leggings"),
    "shirt": ("Shirts",),
    "shoes": SHOE_TYPES,
    "shorts": ("Shorts", "Lounge Shorts"),
    "skirt": ("Skirts",),
    "t-shirt": ("Tshirts",),
}


@dataclass(frozen=True)
class Vocab:
    values: tuple[str, ...]

    @classmethod
    def build(cls, labels: Iterable[str], *, min_count: int = MIN_COUNT) -> Vocab:
        counts = Counter(label for label in labels if label)
        return cls(tuple(sorted(value for value, n in counts.items() if n >= min_count)))

    def index(self, label: str) -> int:
        try:
            return self._lookup[label]
        except KeyError:
            return -1

    @property
    def _lookup(self) -> dict[str, int]:
        lookup = self.__dict__.get("_cached")
        if lookup is None:
            lookup = {value: i for i, value in enumerate(self.values)}
            object.__setattr__(self, "_cached", lookup)
        return lookup

    def __len__(self) -> int:
        return len(self.values)


def vocabularies(items) -> dict[str, Vocab]:
    """One vocabulary per head with at least two learnable values: the fixed heads, then ``attr:<key>`` per key."""
    vocabs = {head: Vocab.build(getattr(item, head) for item in items) for head in HEADS}
    keys = sorted({key for item in items for key in item.attributes})
    for key in keys:
        vocabs[f"attr:{key}"] = Vocab.build(str(item.attributes.get(key, "")) for item in items)
    return {head: vocab for head, vocab in vocabs.items() if len(vocab) >= 2}


def item_label(item, head: str) -> str:
    if head.startswith("attr:"):
        return str(item.attributes.get(head[5:], ""))
    return getattr(item, head)


def allowed_categories(shopper_class: str, vocab: Vocab) -> list[int]:
    """Indices in the category vocabulary that are the right kind for a shopper-photo class."""
    return [i for i in (vocab.index(name) for name in SHOPPER_CLASSES.get(shopper_class, ())) if i >= 0]
