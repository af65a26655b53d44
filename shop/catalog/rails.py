"""Recommendation rails: rows of product cards with a reason each, filled by a pluggable provider.

The shop never imports the recommender. Settings name a provider instead:

    SHOP_RAILS_PROVIDER = "some.module.rails_provider"   # default None: no rails

    def rails_provider(request, *, placement, product=None, cart=None) -> list[Rail]: ...

placement is "home", "product" or "cart". Products in RailItems should come from
Product.objects.for_listing() so the cards cost no further queries. A provider that raises is
logged and the page renders without rails.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PLACEMENTS = ("home", "product", "cart")


@dataclass(frozen=True)
class RailItem:
    product: object  # a catalog Product
    reason: str = ""  # shown under the card, e.g. "Looks like Blue Denim Jacket"


@dataclass(frozen=True)
class Rail:
    name: str  # stable id, sent back as recommendation_clicked's `rail`, e.g. "looks_like"
    title: str
    items: list[RailItem] = field(default_factory=list)
    reason: str = ""  # one line under the title, e.g. "Because you viewed …"
    request_id: str = ""  # the provider's id for what this page showed; card links send it back with a click


def rails_for(request, *, placement: str, product=None, cart=None) -> list[Rail]:
    """The provider's rails for this placement; [] when none is set or it fails."""
    if placement not in PLACEMENTS:
        raise ValueError(f"unknown rail placement {placement!r}; expected one of {PLACEMENTS}")
    path = getattr(settings, "SHOP_RAILS_PROVIDER", None)
    if not path:
        return []
    try:
        provider = import_string(path)
        rails = provider(request, placement=placement, product=product, cart=cart)
        return [rail for rail in (rails or []) if rail.items]
    except Exception:
        # Suggestions are a garnish: a broken provider must never cost a page.
        logger.exception("rails provider %s failed for placement %s", path, placement)
        return []
