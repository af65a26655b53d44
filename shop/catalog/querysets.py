"""Queryset bundles: each page asks for one bundle and gets its joins and prefetches with it."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models.functions import JSONObject


class CategoryQuerySet(models.QuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_stock(self):
        return self.filter(variants__stock__gt=0).distinct()

    def for_listing(self):
        """What a product card needs, in one statement: the category joined, the first image and the sizes in
        stock as subqueries (Product.primary_image, .in_stock and .sizes_in_stock read them). Not prefetches: for
        the 10 to 24 cards of a list, the two extra queries and Django's prefetch bookkeeping cost more than the
        subqueries (docs/benchmarks.md, "Product cards")."""
        images = self._related("images").objects.filter(product=models.OuterRef("pk")).order_by("position", "id")
        in_stock = self._related("variants").objects.filter(product=models.OuterRef("pk"), stock__gt=0)
        return self.select_related("category").annotate(
            card_image=models.Subquery(images.values(card=JSONObject(id="id", image="image", alt="alt_text"))[:1]),
            card_sizes=ArraySubquery(in_stock.order_by("position", "id").values("size")),
        )

    def _related(self, name: str):
        # The related model read from the product model itself: models.py imports this module, never the reverse.
        return self.model._meta.get_field(name).related_model

    def for_detail(self):
        """What a product page needs: category with its parents, every image and variant."""
        return self.select_related("category__parent__parent").prefetch_related(
            models.Prefetch("images", queryset=self._related("images").objects.order_by("position", "id")),
            models.Prefetch("variants", queryset=self._related("variants").objects.order_by("position", "id")),
        )
