"""Admin preview: a product page's, a shopper's or a guest's rails as they would see them, before and after the staff
rules, each rule's effect marked on the cards.

In (GET): placement (product, home, cart), product (an id or part of a name), shopper (username, e-mail or id),
guest (a session key). Out: a page with, per rail, the list without rules beside the list with them; a card a rule
placed, picked, boosted or buried carries the rule's badge, one an exclusion removed is struck through on the left,
and what a rule could not do (an out-of-stock pin) is listed under the rail. Bad input is a form error on the page.

One `recommend_inputs` per preview (the same request the shop makes), ranked twice; the cards in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse

from recommender.models import MerchandisingRule
from recommender.recommend.profiles import style_profile_for
from recommender.rails import RAIL_SIZE, RAILS, rails_ranked
from recommender.ranking import Placement
from recommender.ranking.rank import Ranking
from recommender.recommend.service import recommend_inputs
from shop.cart.models import CartItem
from shop.catalog.models import Product

HOME_SIZE = 12


class PreviewForm(forms.Form):
    placement = forms.ChoiceField(choices=[("product", "Product page"), ("home", "Home (for you)"),
                                           ("cart", "Cart")], initial="product")
    product = forms.CharField(required=False, max_length=200, help_text="id or part of its name")
    shopper = forms.CharField(required=False, max_length=150, help_text="username, e-mail or id (empty: a guest)")
    guest = forms.CharField(required=False, max_length=64, help_text="a guest's key, as their views record it")

    def clean_product(self):
        value = self.cleaned_data["product"].strip()
        if not value:
            return None
        products = Product.objects.filter(Q(pk=int(value)) if value.isdigit() else Q(name__icontains=value))
        found = list(products.order_by("name")[:2])
        if not found:
            raise forms.ValidationError(f"No product matches {value!r}.")
        if len(found) > 1 and not value.isdigit():
            exact = [p for p in products.filter(name__iexact=value)[:1]]
            if not exact:
                raise forms.ValidationError(f"Several products match {value!r}: type more of the name, or its id.")
            return exact[0]
        return found[0]

    def clean_shopper(self):
        value = self.cleaned_data["shopper"].strip()
        if not value:
            return None
        users = get_user_model().objects.filter(Q(username=value) | Q(email__iexact=value)
                                                | (Q(pk=int(value)) if value.isdigit() else Q(pk__in=[])))
        user = users.first()
        if user is None:
            raise forms.ValidationError(f"No shopper {value!r}.")
        return user

    def clean(self):
        data = super().clean()
        if data.get("placement") == "product" and data.get("product") is None and not self.errors.get("product"):
            self.add_error("product", "Choose the product whose page to preview.")
        if data.get("placement") == "cart" and data.get("shopper") is None and not data.get("guest"):
            self.add_error("shopper", "A cart belongs to a shopper or a guest: name one.")
        return data


@dataclass
class Card:
    product: Product
    reason: str
    marks: list[tuple[int, str]] = field(default_factory=list)  # (rule id, what it did)
    struck: str = ""  # why the rules removed it (the "before" column only)
    was: str = ""  # where a card a rule touched stood before the rules ("was 12"; the "after" column only)


@dataclass
class RailPreview:
    name: str
    title: str
    before: list[Card]
    after: list[Card]
    skipped: list[tuple[int, str, str]]  # (rule id, product name, why)


def _cart_anchors(*, user, guest: str) -> list[int]:
    items = CartItem.objects.filter(cart__user=user) if user is not None else CartItem.objects.filter(
        cart__guest_key=guest)
    return sorted(set(items.values_list("variant__product_id", flat=True)))


def rail_previews(*, placement: str, product=None, user=None, guest: str = "") -> list[RailPreview]:
    session_key = guest or None
    if placement == "product":
        anchors = [product.pk]
    elif placement == "cart":
        anchors = _cart_anchors(user=user, guest=guest)
    else:
        anchors = []
    profile = style_profile_for(user=user, session_key=session_key)
    size = HOME_SIZE if placement == "home" else RAIL_SIZE
    inputs = recommend_inputs(placement=Placement(placement), profile=profile, anchor_ids=anchors, k=size)
    if placement == "home":
        # The home ranking as one list: the rules name "for_you" for all of it; the page then splits it in two
        # rails (recommender.rails.home_rails).
        name, title, _ = RAILS["home"][0]
        pairs = [(name, title, inputs.ranking(steered=False), inputs.ranking())]
    elif anchors:
        names = {product.pk: product.name} if product is not None else {}
        before = rails_ranked(inputs, placement=placement, names=names, steered=False)
        after = rails_ranked(inputs, placement=placement, names=names)
        pairs = [(name, title, b, a) for (name, title, b), (_, _, a) in zip(before, after)]
    else:
        return []
    ids = {i.product_id for _, _, b, a in pairs for r in (b, a) for i in r.items}
    ids |= {e.product_id for _, _, _, a in pairs for e in a.effects}
    products = Product.objects.for_listing().in_bulk(list(ids))
    return [_preview(name, title, before, after, products) for name, title, before, after in pairs]


def _preview(name: str, title: str, before: Ranking, after: Ranking, products) -> RailPreview:
    marks: dict[int, list[tuple[int, str]]] = {}
    struck: dict[int, str] = {}
    skipped = []
    for effect in after.effects:
        if not effect.applied:
            found = products.get(effect.product_id)
            skipped.append((effect.rule_id, found.name if found else f"product {effect.product_id}",
                            effect.what.removeprefix("skipped: ")))
        elif effect.what == "excluded":
            struck.setdefault(effect.product_id, f"excluded by rule {effect.rule_id}")
        else:
            marks.setdefault(effect.product_id, []).append((effect.rule_id, effect.what))
    shown_after = {i.product_id for i in after.items}
    for item in before.items:  # fell out without an exclusion: a pin or a pick took its place
        if item.product_id not in shown_after and item.product_id not in struck:
            struck[item.product_id] = "pushed out by the rules"
    before_positions = {i.product_id: n for n, i in enumerate(
        (i for i in before.items if i.product_id in products), start=1)}
    return RailPreview(
        name=name, title=title,
        before=[Card(products[i.product_id], i.reason, struck=struck.get(i.product_id, ""))
                for i in before.items if i.product_id in products],
        after=[Card(products[i.product_id], i.reason, marks=marks.get(i.product_id, []),
                    was=_was(before_positions.get(i.product_id), n) if i.product_id in marks else "")
               for n, i in enumerate((i for i in after.items if i.product_id in products), start=1)],
        skipped=skipped,
    )


def _was(before: int | None, now: int) -> str:
    """Where a card a rule touched stood before the rules."""
    if before is None:
        return "not in the list before"
    return "" if before == now else f"was {before}"


def preview_view(request):
    form = PreviewForm(request.GET or None)
    rails, rules = None, {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        rails = rail_previews(placement=data["placement"], product=data["product"], user=data["shopper"],
                              guest=data["guest"].strip())
        touched = {rule_id for rail in rails for card in rail.after for rule_id, _ in card.marks}
        touched |= {int(card.struck.rsplit(" ", 1)[1]) for rail in rails for card in rail.before
                    if card.struck.startswith("excluded by rule")}
        touched |= {rule_id for rail in rails for rule_id, _, _ in rail.skipped}
        rules = MerchandisingRule.objects.in_bulk(list(touched))
    legend = [(pk, rule.name, rule.kind, reverse("admin:recommender_merchandisingrule_change", args=[pk]))
              for pk, rule in sorted(rules.items())]
    context = {**admin.site.each_context(request), "title": "Merchandising preview", "form": form, "rails": rails,
               "legend": legend, "opts": MerchandisingRule._meta}
    return TemplateResponse(request, "recommender/merch_preview.html", context)
