"""Admin for merchandising rules: edit with history (django-simple-history), see each rule's state, its conflicts
with the others, and the share of recommendation lists it touched in the last day; the preview page is linked.

The form's checks are the model's `clean()` (the API runs the same), so a rule that says too little or contradicts
itself is a field error, never a saved rule that does nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from rest_framework.authtoken.admin import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from recommender.merchandising.effects import touched_shares
from recommender.merchandising.lists import facts_of
from recommender.merchandising.preview import preview_view
from recommender.merchandising.selectors import rule_of
from recommender.models import ComplementPick, MerchandisingRule
from recommender.ranking.rule_conflicts import CONFLICT_RULE, conflicts
from shop.catalog.models import Product
from shop.catalog.selectors import category_subtrees


# API tokens for the rules API are made with `manage.py drf_create_token <username>`; DRF's token admin keys rows by
# user id, which the admin's own pages (delete, history) do not expect.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


class ComplementPickInline(admin.TabularInline):
    model = ComplementPick
    extra = 3
    autocomplete_fields = ("product",)
    verbose_name = "hand-picked complement"
    verbose_name_plural = "hand-picked complements (in order; complements rules only)"


def rule_state(rule: MerchandisingRule, *, now) -> str:
    if not rule.is_active:
        return "off"
    if rule.ends_at is not None and rule.ends_at <= now:
        return "ended"
    if rule.starts_at is not None and rule.starts_at > now:
        return "scheduled"
    return "live"


def rule_conflicts(rules) -> dict[int, list[str]]:
    """{rule id: conflict messages} among the active, unfinished rules: four queries."""
    now = timezone.now()
    subtree = category_subtrees()
    current = [r for r in rules if rule_state(r, now=now) in ("live", "scheduled")]
    picks: dict[int, tuple[int, ...]] = {}
    for pick in ComplementPick.objects.filter(rule__in=[r.pk for r in current]).order_by("position", "id"):
        picks[pick.rule_id] = (*picks.get(pick.rule_id, ()), pick.product_id)
    plain = []
    for row in current:
        try:
            plain.append(rule_of(row, picks=picks.get(row.pk, ()), subtree=subtree))
        except ValueError:
            continue
    shown = {pid for r in plain for pid in ((r.product_id,) if r.product_id else r.picks)}
    facts = {p.pk: facts_of(p) for p in Product.objects.filter(pk__in=shown)}
    out: dict[int, list[str]] = {}
    for conflict in conflicts(plain, facts=facts, now=now):
        out.setdefault(conflict.rule_id, []).append(conflict.message)
    return out


@admin.register(MerchandisingRule)
class MerchandisingRuleAdmin(SimpleHistoryAdmin):
    inlines = (ComplementPickInline,)
    list_display = ("name", "kind_label", "summary", "state", "priority", "starts_at", "ends_at", "touched",
                    "conflict_count")
    list_filter = ("kind", "is_active", "placement")
    search_fields = ("name", "match_brand", "product__name", "anchor_product__name")
    autocomplete_fields = ("anchor_product", "anchor_category", "product", "match_product", "match_category")
    readonly_fields = ("conflicts_detail",)
    list_select_related = ("product", "anchor_product", "anchor_category", "match_category", "match_product")
    fieldsets = (
        (None, {"fields": ("name", "kind", "is_active", "priority", ("starts_at", "ends_at"))}),
        ("Where it applies", {"fields": ("placement", "rail", "anchor_product", "anchor_category"),
                              "description": "Leave empty to apply everywhere. A product scope means that product's "
                                             "page (or a cart holding it)."}),
        ("Pin", {"fields": ("product", "position")}),
        ("Boost, bury or exclude: the products it matches (every condition filled must hold)",
         {"fields": ("match_product", "match_category", "match_brand", "match_department", "match_season",
                     ("match_price_min", "match_price_max"), "match_new_within_days",
                     ("match_attribute_key", "match_attribute_value"), "factor")}),
        ("Hand-picked complements", {"fields": ("fill",),
                                     "description": "The hero product is 'Where it applies: anchor product'; the "
                                                    "picks are below, in order."}),
        ("Conflicts", {"fields": ("conflicts_detail",), "description": CONFLICT_RULE}),
    )

    def get_urls(self):
        extra = [path("preview/", self.admin_site.admin_view(preview_view), name="recommender-merch-preview")]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "conflict_rule": CONFLICT_RULE,
                         "preview_url": reverse("admin:recommender-merch-preview")}
        return super().changelist_view(request, extra_context)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Kept on the page's own rows, not on this admin (one instance serves every request).
        rows = list(changelist.result_list)
        found, touched = rule_conflicts(rows), touched_shares(rule_ids=[r.pk for r in rows])
        for row in rows:
            row.conflict_messages = found.get(row.pk, [])
            row.touched_share = touched.get(row.pk, (0, 0))
        changelist.result_list = rows
        return changelist

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, obj):
        if obj.kind == "boost":
            return "bury" if obj.factor < 1 else "boost"
        return obj.kind

    @admin.display(description="What it does")
    def summary(self, obj):
        where = obj.get_placement_display() if obj.placement else "everywhere"
        if obj.rail:
            where = obj.get_rail_display()
        if obj.anchor_product_id:
            where += f", on {obj.anchor_product}"
        elif obj.anchor_category_id:
            where += f", under {obj.anchor_category.name}"
        if obj.kind == "pin":
            return f"{obj.product} at position {obj.position} ({where})"
        if obj.kind == "complements":
            return f"picks for {obj.anchor_product}, then {obj.fill} automatic ({where})"
        verb = {"exclude": "never shows"}.get(obj.kind, f"x{obj.factor:g}")
        return f"{verb}: {condition_text(obj)} ({where})"

    @admin.display(description="State")
    def state(self, obj):
        state = rule_state(obj, now=timezone.now())
        colour = {"live": "#1a7f37", "scheduled": "#9a6700", "ended": "#666", "off": "#666"}[state]
        return format_html('<strong style="color:{}">{}</strong>', colour, state)

    @admin.display(description="Touched (24 h)")
    def touched(self, obj):
        lists, served = getattr(obj, "touched_share", (0, 0))
        return f"{100 * lists / served:.1f} % of {served}" if served else "–"

    @admin.display(description="Conflicts")
    def conflict_count(self, obj):
        found = getattr(obj, "conflict_messages", [])
        if not found:
            return "–"
        return format_html('<span title="{}" style="color:#b00020">{}</span>', " ".join(found), len(found))

    @admin.display(description="Conflicts with other rules")
    def conflicts_detail(self, obj):
        if obj.pk is None:
            return "Saved rules are checked against the others here."
        found = rule_conflicts(MerchandisingRule.objects.select_related("anchor_category")).get(obj.pk, [])
        if not found:
            return "None."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((m,) for m in found)))


def condition_text(obj: MerchandisingRule) -> str:
    parts = []
    if obj.match_product_id:
        parts.append(f"product {obj.match_product}")
    if obj.match_category_id:
        parts.append(f"in {obj.match_category.name}")
    for label, value in (("brand", obj.match_brand), ("department", obj.match_department),
                         ("season", obj.match_season)):
        if value:
            parts.append(f"{label} {value}")
    if obj.match_price_min is not None or obj.match_price_max is not None:
        parts.append(f"price {obj.match_price_min or 0}–{obj.match_price_max or '∞'}")
    if obj.match_new_within_days is not None:
        parts.append(f"new within {obj.match_new_within_days} days")
    if obj.match_attribute_key:
        parts.append(f"{obj.match_attribute_key}={obj.match_attribute_value}")
    return ", ".join(parts) or "nothing"
