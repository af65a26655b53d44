"""Interactions: one row per thing a shopper did with a product (view, like, cart, purchase, click).

Who: `user` when signed in, else `session_key` (a guest); both empty for a visitor without a session
(kept for popularity, ignored by co-occurrence). `weight` is fixed when recorded (conf
INTERACTION_WEIGHTS), so changing the weights later does not rewrite history. `created_at` is the
event's `at`.

Collapsing duplicates is the database's job, through unique partial indexes, so it is race-safe
without locks and a bulk INSERT ... ON CONFLICT DO NOTHING can record thousands of events at once:
- `bucket` is the collapse key. Views, clicks and cart additions get the number of the
  COLLAPSE_MINUTES window they fall in, so repeated views of one product by one shopper within a
  window are one row. A like gets bucket 0: a like is a state, one row per shopper and product.
  Why fixed windows rather than "30 minutes since the last view": a sliding window needs
  select-then-insert under a lock (2-3 queries per event, writers serialised); a fixed window is one
  unique index. The price: a burst straddling a window boundary leaves two rows instead of one.
- a purchase with an order id is unique per order line (order, product, variant), so a re-sent
  order_placed records nothing new. Simulated orders (order_id None) are not deduplicated.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shop.catalog.models import Product


class InteractionKind(models.TextChoices):
    VIEW = "view", "View"
    CLICK = "click", "Click on a recommendation"
    LIKE = "like", "Like"
    CART = "cart", "Added to cart"
    PURCHASE = "purchase", "Purchase"


class Interaction(models.Model):
    # No single-column indexes on user/product: the composite indexes below start with them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.CASCADE, db_index=False
    )
    session_key = models.CharField(max_length=64, null=True, blank=True)
    product = models.ForeignKey(Product, related_name="+", on_delete=models.CASCADE, db_index=False)
    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    weight = models.FloatField()
    rail = models.CharField(max_length=50, blank=True, default="")  # clicks: which recommendation rail
    # Not foreign keys: simulated orders have no rows, and history outlives a deleted order.
    order_id = models.BigIntegerField(null=True, blank=True)
    variant_id = models.BigIntegerField(null=True, blank=True)
    bucket = models.IntegerField(null=True, blank=True, editable=False)  # collapse key, see the module docstring
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["user", "created_at"], name="interaction_user_time"),
            models.Index(fields=["session_key", "created_at"], name="interaction_session_time"),
            models.Index(fields=["product", "kind"], name="interaction_product_kind"),
            models.Index(fields=["created_at"], name="interaction_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product", "kind", "bucket"],
                condition=Q(bucket__isnull=False, user__isnull=False),
                name="interaction_collapse_user",
            ),
            models.UniqueConstraint(
                fields=["session_key", "product", "kind", "bucket"],
                condition=Q(bucket__isnull=False, user__isnull=True, session_key__isnull=False),
                name="interaction_collapse_guest",
            ),
            models.UniqueConstraint(
                fields=["order_id", "product", "variant_id"],
                condition=Q(kind="purchase", order_id__isnull=False),
                nulls_distinct=False,
                name="interaction_one_per_order_line",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="interaction_weight_not_negative"),
        ]

    def __str__(self):
        return f"{self.kind} of product {self.product_id} by {self.user_id or self.session_key or 'anonymous'}"
