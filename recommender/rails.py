"""The shop's rails provider (settings.SHOP_RAILS_PROVIDER points here).

One call per page: the shopper's profile, every source's candidates and the product facts are
fetched once, then each rail ranks the candidates of its own sources. Items shown in an earlier
rail are not repeated in a later one. The cards' products come from one `for_listing()` query.

Each card's reason says what its rail's title does not. On a product page the title already names the
evidence ("Often bought together"), so a card says how it differs from the product on the page ("In navy,
12.00 EUR less") or which product it goes with ("Pairs with Linen shirt"). In the cart the evidence names
the cart's product it came from ("Often bought with Linen shirt"); on the home page it is the ranking's own.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from recommender.conf import recommender_setting
from recommender.experiments.serving import arm_apply, arm_sources, arm_weights
from recommender.impressions.pages import rails_shown, request_arm
from recommender.recommend.feeds import recommend_for_shopper
from recommender.recommend.profiles import style_profile_for
from recommender.ranking import Candidate, Placement, Source, rank
from recommender.recommend.service import recommend_inputs, recommendation_weights
from shop.catalog.models import Product
from shop.catalog.rails import Rail, RailItem

RAIL_SIZE = 8
SAME_PRICE = Decimal("1.00")  # a difference below this reads as "same price"
# placement -> [(rail name, title, sources)]
RAILS = {
    "product": [
        ("looks_like", "Looks like this", (Source.VISUAL,)),  # cards: colour and price beside the anchor
        ("bought_together", "Often bought together", (Source.CO_BUY,)),  # cards: "Pairs with {anchor}"
        ("also_viewed", "Customers also viewed", (Source.CO_VIEW,)),  # cards: as looks_like
    ],
    "home": [("for_you", "For you", tuple(Source))],
    "cart": [("complete_order", "Complete your order", (Source.CO_BUY, Source.CO_VIEW, Source.VISUAL, Source.TRENDING))],
}


def rails_provider(request, *, placement: str, product=None, cart=None) -> list[Rail]:
    # The shopper's experiment arm shapes the rails, and what was shown is recorded (recommender.impressions).
    arm = request_arm(request)
    ranked_rails = arm_apply(arm, lambda arm: _ranked_rails(request, placement=placement, product=product, cart=cart,
                                                            arm=arm))
    rails = _cards(ranked_rails)
    if placement == "product":
        rails = [replace(rail, items=[replace(item, reason=_beside(rail.name, item, anchor=product))
                                      for item in rail.items]) for rail in rails]
    sources = {item.product_id: str(item.source) for _, _, ranked in ranked_rails for item in ranked}
    return rails_shown(request, placement=placement, rails=rails, sources=sources, arm=arm)


def _ranked_rails(request, *, placement: str, product, cart, arm) -> list[tuple[str, str, list]]:
    user = request.user if request.user.is_authenticated else None
    session_key = request.session.session_key
    if arm is not None and arm.shows_nothing:
        return []
    if placement == "home":
        # One rail of every source: the shopper's feed, cached until they act (recommender.recommend.feeds).
        (name, title, _sources), = RAILS["home"]
        ranked = recommend_for_shopper(placement="home", user=user, session_key=session_key, k=RAIL_SIZE)
        return [(name, title, ranked)]
    anchors = _anchors(placement=placement, product=product, cart=cart)
    if not anchors:
        return []
    profile = style_profile_for(user=user, session_key=session_key)
    inputs = recommend_inputs(placement=Placement(placement), profile=profile, anchor_ids=anchors, k=RAIL_SIZE)
    weights = arm_weights(arm) or recommendation_weights()
    names = _anchor_names(anchors, product=product)
    shown: set[int] = set()
    ranked_rails = []
    for name, title, sources in RAILS[placement]:
        sources = arm_sources(arm, sources)
        if not sources:
            continue
        ranked = rank(
            _restrict(inputs.candidates, sources, names=names), facts=inputs.facts, shopper=inputs.shopper,
            weights=weights,
            request=replace(inputs.request, anchor_ids=inputs.request.anchor_ids | frozenset(shown)),
            mmr_lambda=float(recommender_setting("MMR_LAMBDA")),
            cosine_floor=float(recommender_setting("COSINE_FLOOR")),
        )
        shown.update(item.product_id for item in ranked)
        ranked_rails.append((name, title, ranked))
    return ranked_rails


def _anchor_names(anchors: list[int], *, product) -> dict[int, str]:
    """The anchors' names for the reasons: the page's product is at hand, a cart's take one query."""
    if product is not None:
        return {product.pk: product.name}
    return dict(Product.objects.filter(pk__in=anchors).values_list("pk", "name"))


def _beside(rail: str, item: RailItem, *, anchor) -> str:
    """A product-page card's reason: which product it goes with, or how it differs from that product."""
    card = item.product
    if rail == "bought_together":
        return f"Pairs with {anchor.name}"
    parts = []
    if card.base_colour:
        same = card.base_colour.lower() == (anchor.base_colour or "").lower()
        parts.append(f"{'also in' if same else 'in'} {card.base_colour.lower()}")
    if card.currency == anchor.currency:
        difference = card.price - anchor.price
        if abs(difference) < SAME_PRICE:
            parts.append("same price")
        else:
            parts.append(f"{abs(difference):.2f} {card.currency} {'less' if difference < 0 else 'more'}")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] if text else item.reason


def _cards(ranked_rails) -> list[Rail]:
    """The rails' products in one `for_listing()` query."""
    shown = {item.product_id for _, _, ranked in ranked_rails for item in ranked}
    products = Product.objects.for_listing().in_bulk(list(shown))
    return [
        Rail(
            name=name, title=title,
            items=[RailItem(product=products[item.product_id], reason=item.reason) for item in ranked
                   if item.product_id in products],
        )
        for name, title, ranked in ranked_rails
    ]


def _anchors(*, placement: str, product, cart) -> list[int]:
    if placement == "product" and product is not None:
        return [product.pk]
    if placement == "cart" and cart is not None:
        return sorted({item.variant.product_id for item in cart.items.all()})
    return []


def _restrict(candidates: list[Candidate], sources, *, names: dict[int, str]) -> list[Candidate]:
    """The candidates with evidence from these sources, each anchor's name filled in for the reason."""
    wanted = set(sources)
    kept = []
    for candidate in candidates:
        evidence = tuple(
            replace(e, anchor_name=names[e.anchor_id]) if e.anchor_name is None and e.anchor_id in names else e
            for e in candidate.evidence if e.source in wanted
        )
        if evidence:
            kept.append(Candidate(candidate.product_id, evidence))
    return kept
