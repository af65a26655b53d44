"""Staff exclusions for lists ranked outside `ranking.rank`: the similar-items API's nearest neighbours.

In: the list's anchor product and the catalogue `Product`s it would show (already loaded, with the anchor, for
their cards). Out: the ids a live exclusion removes. No query beyond the cached rule set.
"""

from __future__ import annotations

from django.utils import timezone

from recommender.merchandising.selectors import live_rules
from recommender.ranking import Placement, ProductFacts
from recommender.ranking.rules import RuleKind, Rules, excluded_ids

SIMILAR_RAIL = "looks_like"  # the similar list is the product page's "Looks like this", asked through the API


def exclusions_live() -> bool:
    return any(rule.kind == RuleKind.EXCLUDE for rule in live_rules())


def facts_of(product) -> ProductFacts:
    """What a rule's condition reads, from a catalogue product (stock is the list's own filters' business)."""
    return ProductFacts(
        product_id=product.pk, name=product.name, category_id=product.category_id, category_name="",
        price=float(product.price), active=product.is_active, sizes_in_stock=frozenset(), brand=product.brand,
        department=product.gender, season=product.season, created_at=product.created_at,
        attributes=product.attributes if isinstance(product.attributes, dict) else {},
    )


def similar_excluded(*, anchor_id: int, products: dict) -> set[int]:
    rules = Rules(live_rules(), now=timezone.now(), rail=SIMILAR_RAIL, anchor_ids=frozenset({anchor_id}))
    facts = {pk: facts_of(product) for pk, product in products.items()}
    return excluded_ids(facts, rules=rules, placement=Placement.PRODUCT) - {anchor_id}
