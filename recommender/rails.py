"""The shop's rails provider (settings.SHOP_RAILS_PROVIDER points here).

One call per page: the shopper's profile, every source's candidates and the product facts are
fetched once, then each rail ranks the candidates of its own sources. Items shown in an earlier
rail are not repeated in a later one. The cards' products come from one `for_listing()` query.

Each card's reason says what its rail's title does not. On a product page the title already names the
evidence ("Often bought together"), so a card says how it differs from the product on the page ("In navy,
12.00 EUR less") or which product it goes with ("Pairs with Linen shirt"). In the cart the evidence names
the cart's product it came from ("Often bought with Linen shirt"); on the home page it is the ranking's own. A
product staff pinned or hand-picked for the rail (recommender.ranking.rules) says "Picked by our stylists".
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from recommender.conf import recommender_setting
from recommender.experiments.serving import arm_apply, arm_sources, arm_weights
from recommender.impressions.pages import rails_shown, request_arm
from recommender.merchandising.effects import lists_served, rules_touched
from recommender.ranking import Candidate, Placement, Source
from recommender.ranking.rank import Ranking, rank_steered
from recommender.ranking.rules import PICKED_REASON
from recommender.recommend.feeds import recommend_with_stock
from recommender.recommend.profiles import style_profile_for
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
    # One ranking, shown as two rails: what the shopper viewed before apart from what is new to them (below).
    "home": [("for_you", "For you", tuple(Source)),
             ("viewed_before", "Pick up where you left off", (Source.HISTORY,))],
    "cart": [("complete_order", "Complete your order", (Source.CO_BUY, Source.CO_VIEW, Source.VISUAL, Source.TRENDING))],
}


def rails_provider(request, *, placement: str, product=None, cart=None) -> list[Rail]:
    # The shopper's experiment arm shapes the rails, and what was shown is recorded (recommender.impressions).
    arm = request_arm(request)
    ranked_rails = arm_apply(arm, lambda arm: _ranked_rails(request, placement=placement, product=product, cart=cart,
                                                            arm=arm))
    if placement != "home":
        lists_served(rules_touched(ranking.items, excluding=[e.rule_id for e in ranking.effects
                                                             if e.applied and e.what == "excluded"])
                     for _, _, ranking in ranked_rails)
    shown = [(name, title, ranking.items if isinstance(ranking, Ranking) else ranking)
             for name, title, ranking in ranked_rails]
    rails = _cards(shown)
    if placement == "product":
        # A staff pick keeps its own reason: the page's comparison would hide that a person chose it.
        rails = [replace(rail, items=[item if item.reason == PICKED_REASON
                                      else replace(item, reason=_beside(rail.name, item, anchor=product))
                                      for item in rail.items]) for rail in rails]
    sources = {item.product_id: str(item.source) for _, _, ranked in shown for item in ranked}
    return rails_shown(request, placement=placement, rails=rails, sources=sources, arm=arm)


def _ranked_rails(request, *, placement: str, product, cart, arm) -> list[tuple[str, str, list | Ranking]]:
    """Home: the shopper's feed (a list of `Ranked`); product and cart pages: one `Ranking` per rail."""
    user = request.user if request.user.is_authenticated else None
    session_key = request.session.session_key
    if arm is not None and arm.shows_nothing:
        return []
    if placement == "home":
        # The shopper's feed, cached until they act (recommender.recommend.feeds), split in two rails.
        ranked, _ = recommend_with_stock(placement="home", user=user, session_key=session_key, k=RAIL_SIZE,
                                         beside_history=True)
        return home_rails(ranked)
    anchors = _anchors(placement=placement, product=product, cart=cart)
    if not anchors:
        return []
    profile = style_profile_for(user=user, session_key=session_key)
    inputs = recommend_inputs(placement=Placement(placement), profile=profile, anchor_ids=anchors, k=RAIL_SIZE)
    names = _anchor_names(anchors, product=product)
    return rails_ranked(inputs, placement=placement, names=names, arm=arm)


def home_rails(ranked: list) -> list[tuple[str, str, list]]:
    """The home feed as two rails, each in the feed's order and at most RAIL_SIZE long: "For you", what the shopper
    has not looked at yet; "Pick up where you left off", the items the feed shows because they viewed them before
    (reason from the history source). Why: with a learned or tuned ranker the viewed-before evidence carries the
    shop's own measured NDCG (docs/learned-ranking.md), and in one rail it filled every card ("You viewed this
    today" eight times), leaving nothing to discover. The feed is ranked with Request.history_beside, so "For you"
    has its RAIL_SIZE items however many viewed-before ones rank above them; the order is the ranking's, so what
    was measured is what is shown, only split. A rail with nothing in it is not shown."""
    (fresh_name, fresh_title, _), (again_name, again_title, _) = RAILS["home"]
    again = [item for item in ranked if item.viewed_before]
    fresh = [item for item in ranked if not item.viewed_before]
    return [(name, title, items[:RAIL_SIZE]) for name, title, items in
            ((fresh_name, fresh_title, fresh), (again_name, again_title, again)) if items]


def rails_ranked(inputs, *, placement: str, names: dict[int, str], steered: bool = True, arm=None
                 ) -> list[tuple[str, str, Ranking]]:
    """Each rail of a product or cart page ranked from one request's inputs, with or without the staff rules (the
    admin preview shows both), in the experiment arm's sources and weights; an item shown in an earlier rail is
    not repeated in a later one."""
    weights = arm_weights(arm) or recommendation_weights()
    shown: set[int] = set()
    out = []
    for name, title, sources in RAILS[placement]:
        sources = arm_sources(arm, sources)
        if not sources:
            continue
        ranking = rank_steered(
            _restrict(inputs.candidates, sources, names=names), facts=inputs.facts, shopper=inputs.shopper,
            weights=weights,
            request=replace(inputs.request, anchor_ids=inputs.request.anchor_ids | frozenset(shown)),
            mmr_lambda=float(recommender_setting("MMR_LAMBDA")),
            cosine_floor=float(recommender_setting("COSINE_FLOOR")),
            rules=replace(inputs.rules, rail=name) if steered and inputs.rules is not None else None,
        )
        shown.update(item.product_id for item in ranking.items)
        out.append((name, title, ranking))
    return out


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
