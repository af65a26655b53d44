"""Merchandising rules: staff steer the automatic recommendations (pins, boosts and buries, exclusions, hand-picked
complements), each with its validity, priority and scope. Edited in admin and at /api/merchandising/rules/; every
change is kept by django-simple-history (who, when, from what to what).

Rows become plain `ranking.rules.Rule` data in `recommender.merchandising.selectors`; what each field means, and
how conflicts resolve, is the pure module's (`recommender.ranking.rules`). `clean()` checks that a rule says what
its kind needs, so admin and the API give the same message for the same mistake.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from recommender.ranking.rules import RuleKind

# rail names of recommender.rails.RAILS, by placement ("" = every rail)
RAIL_CHOICES = [
    ("", "Every rail"),
    ("looks_like", "Product page: Looks like this"),
    ("bought_together", "Product page: Often bought together"),
    ("also_viewed", "Product page: Customers also viewed"),
    ("for_you", "Home: For you"),
    ("complete_order", "Cart: Complete your order"),
]
RAIL_PLACEMENT = {"looks_like": "product", "bought_together": "product", "also_viewed": "product",
                  "for_you": "home", "complete_order": "cart"}


class RuleKindChoices(models.TextChoices):
    PIN = RuleKind.PIN.value, "Pin a product at a position"
    BOOST = RuleKind.BOOST.value, "Boost or bury matching products"
    EXCLUDE = RuleKind.EXCLUDE.value, "Exclude matching products"
    COMPLEMENTS = RuleKind.COMPLEMENTS.value, "Hand-picked complements for a product"


class PlacementChoices(models.TextChoices):
    EVERY = "", "Every placement"
    PRODUCT = "product", "Product page"
    HOME = "home", "Home (for you)"
    CART = "cart", "Cart"


class MerchandisingRule(models.Model):
    name = models.CharField(max_length=120, help_text="What staff call it, e.g. 'Spring collection first'.")
    kind = models.CharField(max_length=12, choices=RuleKindChoices.choices)
    is_active = models.BooleanField(default=True)
    priority = models.IntegerField(default=0, help_text="Higher wins a conflict (see the conflict rule).")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: from now on.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until switched off. Exclusive.")
    placement = models.CharField(max_length=10, choices=PlacementChoices.choices, blank=True, default="")
    rail = models.CharField(max_length=20, choices=RAIL_CHOICES, blank=True, default="")
    # Scope: where the rule applies (none: everyone, everywhere in its placement).
    anchor_product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Only on this product's page (or a cart holding it). Complements: the hero product.")
    anchor_category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Only on pages of products in this category or its sub-categories.")
    # Pin
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", help_text="Pin: the product shown.")
    position = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)],
                                                help_text="Pin: 1 = first.")
    # Boost / exclude: every condition filled must hold.
    match_product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="+")
    match_category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="+", help_text="With its sub-categories.")
    match_brand = models.CharField(max_length=100, blank=True)
    match_department = models.CharField(max_length=10, blank=True, help_text="men, women, boys, girls, unisex")
    match_season = models.CharField(max_length=20, blank=True)
    match_price_min = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                          validators=[MinValueValidator(0)])
    match_price_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                          validators=[MinValueValidator(0)])
    match_new_within_days = models.PositiveIntegerField(null=True, blank=True,
                                                        help_text="New arrivals: added within this many days.")
    match_attribute_key = models.CharField(max_length=50, blank=True)
    match_attribute_value = models.CharField(max_length=100, blank=True)
    factor = models.FloatField(default=1.0, help_text="Boost: above 1 lifts (1.5 = +50 %), below 1 buries.")
    # Complements
    fill = models.PositiveSmallIntegerField(default=4, help_text="Complements: automatic items after the picks.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ("-priority", "id")
        indexes = [models.Index(fields=["is_active", "ends_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="merch_rule_factor_positive"),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True) | models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")), name="merch_rule_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    @property
    def has_condition(self) -> bool:
        return bool(self.match_product_id or self.match_category_id or self.match_brand.strip()
                    or self.match_department or self.match_season.strip() or self.match_price_min is not None
                    or self.match_price_max is not None or self.match_new_within_days is not None
                    or self.match_attribute_key.strip())

    def clean(self):
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The end must come after the start."
        if self.rail and self.placement and RAIL_PLACEMENT[self.rail] != self.placement:
            errors["rail"] = f"This rail is on the {RAIL_PLACEMENT[self.rail]} placement, not {self.placement}."
        if self.match_price_min is not None and self.match_price_max is not None \
                and self.match_price_min > self.match_price_max:
            errors["match_price_max"] = "The highest price is below the lowest."
        if bool(self.match_attribute_key.strip()) != bool(self.match_attribute_value.strip()):
            errors["match_attribute_value"] = "An attribute condition needs both a key and a value."
        if self.kind == RuleKind.PIN and not self.product_id:
            errors["product"] = "A pin needs the product to show."
        if self.kind in (RuleKind.BOOST, RuleKind.EXCLUDE) and not self.has_condition:
            errors["match_brand"] = "Say which products it matches: fill at least one condition."
        if self.kind == RuleKind.BOOST and not (self.factor is not None and self.factor > 0 and self.factor != 1):
            errors["factor"] = "A boost needs a factor above 0 and not 1 (above 1 lifts, below 1 buries)."
        if self.kind == RuleKind.COMPLEMENTS and not self.anchor_product_id:
            errors["anchor_product"] = "Complements need the hero product they go with."
        if self.kind == RuleKind.COMPLEMENTS and self.rail not in ("", "bought_together", "complete_order"):
            errors["rail"] = "Complements show in 'Often bought together' or 'Complete your order'."
        if errors:
            raise ValidationError(errors)


class ComplementPick(models.Model):
    """One hand-picked complement of a complements rule, in order."""

    rule = models.ForeignKey(MerchandisingRule, on_delete=models.CASCADE, related_name="picks")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ("position", "id")
        constraints = [models.UniqueConstraint(fields=["rule", "product"], name="merch_pick_unique_product")]

    def __str__(self):
        return f"{self.position}. {self.product_id}"
