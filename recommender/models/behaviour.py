"""Behaviour signals, rebuilt from interactions by recommender.behaviour.services.signals_rebuild.

Rows belong to a generation. A rebuild writes generation g+1 beside the live one, then flips
`SignalGeneration.current` in one UPDATE; readers filter on the current generation inside the same
query, so any one read sees either the old complete set or the new complete set, never a mix.
Old generations are deleted after the flip (MVCC keeps them visible to reads already running).

ItemNeighbour.score: shrunk cosine in 0..1 (see recommender.behaviour.compute).
ProductSignal.popularity / trending: time-decayed weighted event sums, divided by the catalogue's
maximum, so 0..1 with 1 = the most popular (trending) product.
"""

from django.db import models

from shop.catalog.models import Product


class NeighbourKind(models.TextChoices):
    CO_VIEWED = "co_viewed", "Co-viewed"
    CO_BOUGHT = "co_bought", "Co-bought"


class SignalGeneration(models.Model):
    """A single row (pk 1): which generation readers use. Missing row or 0: no signals yet."""

    current = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class ItemNeighbour(models.Model):
    # The composite key doubles as the readers' index: (generation, kind, product) then a few rows to sort.
    pk = models.CompositePrimaryKey("generation", "kind", "product", "neighbour")
    generation = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=NeighbourKind.choices)
    # No FK constraints: COPY of ~1M rows stays fast, and a deleted product's rows vanish at the next rebuild.
    product = models.ForeignKey(Product, related_name="+", on_delete=models.DO_NOTHING, db_constraint=False)
    neighbour = models.ForeignKey(Product, related_name="+", on_delete=models.DO_NOTHING, db_constraint=False)
    score = models.FloatField()


class ProductSignal(models.Model):
    pk = models.CompositePrimaryKey("generation", "product")
    generation = models.BigIntegerField()
    product = models.ForeignKey(Product, related_name="+", on_delete=models.DO_NOTHING, db_constraint=False)
    category_id = models.BigIntegerField(null=True)  # the product's category at rebuild time
    popularity = models.FloatField()
    trending = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["generation", "-trending"], name="productsignal_trending"),
            # Trending in the shopper's favourite categories: without it, every trending row is read to keep ~3 %.
            models.Index(fields=["generation", "category_id", "-trending"], name="productsignal_cat_trending"),
        ]


class RebuildKind(models.TextChoices):
    FULL = "full", "Full"
    INCREMENTAL = "incremental", "Incremental"


class SignalRebuild(models.Model):
    """One row per rebuild, for the health dashboard. finished_at is null while running (or after a crash)."""

    kind = models.CharField(max_length=12, choices=RebuildKind.choices, default=RebuildKind.FULL)
    generation = models.BigIntegerField(null=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    events = models.PositiveIntegerField(default=0)  # interactions read
    pairs = models.PositiveIntegerField(default=0)  # neighbour rows written (both kinds)
    products = models.PositiveIntegerField(default=0)  # products with a popularity row
    last_event_id = models.BigIntegerField(null=True, blank=True)  # the newest interaction read
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-started_at",)
        get_latest_by = "started_at"

    def __str__(self):
        return f"{self.kind} rebuild at {self.started_at:%Y-%m-%d %H:%M}"
