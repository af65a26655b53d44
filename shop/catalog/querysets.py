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
        from .models import ProductImage, Variant

        return self.select_related("category").prefetch_related(
            models.Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            models.Prefetch("variants", queryset=Variant.objects.order_by("position", "id")),
        )

    def for_detail(self):
        """What a product page needs: category with its parents, every image and variant."""
        return self.for_listing().select_related("category__parent__parent")
