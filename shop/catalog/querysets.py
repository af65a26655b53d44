"""Queryset bundles: each page asks for one bundle and gets its joins and prefetches with it."""

from django.db import models


class CategoryQuerySet(models.QuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_stock(self):
        return self.filter(variants__stock__gt=0).distinct()

    def for_listing(self):
        """What a product card needs: category, the first image, variants for the size badge."""
        return self.select_related("category").prefetch_related(
            models.Prefetch("images", queryset=self._related("images").objects.order_by("position", "id")),
            models.Prefetch("variants", queryset=self._related("variants").objects.order_by("position", "id")),
        )

    def _related(self, name: str):
        # The related model read from the product model itself: models.py imports this module, never the reverse.
        return self.model._meta.get_field(name).related_model

    def for_detail(self):
        """What a product page needs: category with its parents, every image and variant."""
        return self.for_listing().select_related("category__parent__parent")
