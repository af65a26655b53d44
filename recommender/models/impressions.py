"""What the shop showed, what shoppers then did with it, and the daily online metrics built from both.

`Impression`: one row per rail shown (a page's rail or an API answer): the product ids in their order (their
positions), each item's source as a small code (recommender.impressions.codes), who saw it (user or guest
session), the ranker and model version, the experiment and arm, and a request id that a click carries back.
Written in batches by a worker (recommender.impressions.flush), never by the page; pruned after
IMPRESSION_KEEP_DAYS.

`Attribution`: a click, cart addition or purchase of a shown product within ATTRIBUTION_HOURS of the impression,
tied to that one impression (so to its rail and arm). Counted once: a click once per impression and product, a
cart addition or purchase once per interaction row (which the interactions already deduplicate per collapse
window and per order line). A purchase carries its revenue (unit price x quantity of the order line).

`OnlineMetric`: the small aggregate the health page, the metrics API and the experiment pages read, one row per
day, placement, rail, source ("" for the rail as a whole), experiment (0: none) and arm, rebuilt by a beat task.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Impression(models.Model):
    shown_at = models.DateTimeField()
    request_id = models.CharField(max_length=16)
    placement = models.CharField(max_length=10)
    rail = models.CharField(max_length=50)
    product_ids = ArrayField(models.BigIntegerField())
    sources = ArrayField(models.SmallIntegerField())  # per position: recommender.impressions.codes
    # Plain ids, not foreign keys: analytics rows must not slow or block deleting a user.
    user_id = models.BigIntegerField(null=True)
    session_key = models.CharField(max_length=64, null=True)
    ranker = models.CharField(max_length=10)  # "blend" or "learned"
    model_version = models.IntegerField(null=True)  # the RankerVersion that ranked it (learned only)
    experiment_id = models.IntegerField(null=True)
    arm = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["shown_at"], name="impression_time"),
            models.Index(fields=["user_id", "shown_at"], name="impression_user_time"),
            models.Index(fields=["session_key", "shown_at"], name="impression_session_time"),
            models.Index(fields=["request_id"], name="impression_request"),
            models.Index(fields=["experiment_id", "arm"], name="impression_arm",
                         condition=Q(experiment_id__isnull=False)),
        ]


class AttributionKind(models.TextChoices):
    CLICK = "click", "Click"
    CART = "cart", "Added to cart"
    PURCHASE = "purchase", "Purchase"


class Attribution(models.Model):
    impression = models.ForeignKey(Impression, related_name="+", on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=AttributionKind.choices)
    product_id = models.BigIntegerField()
    source = models.SmallIntegerField()  # the item's source in that impression
    at = models.DateTimeField()
    interaction_id = models.BigIntegerField(null=True)  # cart and purchase: the interaction row counted
    order_id = models.BigIntegerField(null=True)
    quantity = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["impression", "product_id", "kind"], condition=Q(kind="click"),
                                    name="attribution_one_click"),
            models.UniqueConstraint(fields=["interaction_id"], condition=Q(interaction_id__isnull=False),
                                    name="attribution_one_per_interaction"),
        ]
        indexes = [models.Index(fields=["impression", "kind"], name="attribution_impression")]


class OnlineMetric(models.Model):
    day = models.DateField()
    placement = models.CharField(max_length=10)
    rail = models.CharField(max_length=50)
    source = models.CharField(max_length=20, blank=True, default="")
    experiment_id = models.IntegerField(default=0)
    arm = models.CharField(max_length=30, blank=True, default="")
    impressions = models.IntegerField(default=0)
    items_shown = models.IntegerField(default=0)
    visitors = models.IntegerField(default=0)
    clicks = models.IntegerField(default=0)
    clicked_impressions = models.IntegerField(default=0)
    carts = models.IntegerField(default=0)
    carts_after_click = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    purchasers = models.IntegerField(default=0)
    items_ordered = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ("day", "placement", "rail", "source", "experiment_id", "arm")
        constraints = [models.UniqueConstraint(
            fields=["day", "placement", "rail", "source", "experiment_id", "arm"], name="online_metric_unique")]
