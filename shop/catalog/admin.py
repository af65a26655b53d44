"""Catalogue admin: products with thumbnails, variant and image inlines, bulk (de)activation.

The product list shows what an owner scans for (photo, name, category, price, stock, on sale or not) and fits a
1280 px screen; brand, gender and colour are filters, and the detail is on the change page.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import ngettext

from .models import Category, Product, ProductImage, Variant

FINGERPRINT_CHARS = 12  # of a photo's sha256: enough to tell two photos apart at a glance


def _thumbnail(image, size=64):
    if not image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" style="object-fit:contain;background:#fff">',
        image.image.url, image.alt_text, size, size,
    )


class CategoryListFilter(admin.RelatedFieldListFilter):
    """"By category" with each choice's full path, read with its parents in one query (not one per choice)."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in Category.objects.select_related("parent__parent")]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slug", "position")
    list_select_related = ("parent__parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete on a product's page lists paths ("Clothing > Tops"): one query, not one per parent.
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("parent__parent"), duplicates


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("size", "sku", "stock", "position")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    # The admin's default text box (20em) would push the table past a 1280 px screen beside the file input.
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 24})}}
    fields = ("preview", "image", "position", "alt_text", "fingerprint")
    readonly_fields = ("preview", "fingerprint")

    @admin.display(description="Preview")
    def preview(self, obj):
        return _thumbnail(obj if obj.pk else None, size=96)

    @admin.display(description="Fingerprint")
    def fingerprint(self, obj):
        """The start of the photo's sha256; the whole of it on hover (a 64-character column would not fit)."""
        if not obj.sha256:
            return "—"
        return format_html('<code title="sha256 {}">{}…</code>', obj.sha256, obj.sha256[:FINGERPRINT_CHARS])


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("thumbnail", "name", "category_path", "price", "stock", "is_active")
    list_display_links = ("thumbnail", "name")
    list_filter = ("is_active", "gender", ("category", CategoryListFilter), "brand", "base_colour")
    search_fields = ("name", "brand", "variants__sku", "external_id")
    list_per_page = 50
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("category",)
    readonly_fields = ("external_id", "created_at", "updated_at")
    inlines = (VariantInline, ProductImageInline)
    actions = ("activate", "deactivate")
    fieldsets = (
        (None, {"fields": ("name", "slug", "brand", "category", "gender", "price", "currency", "is_active")}),
        ("Description", {"fields": ("description", "base_colour", "season", "usage", "year", "attributes")}),
        ("Source", {"fields": ("external_id", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        stock = Variant.objects.filter(product=OuterRef("pk")).values("product").annotate(n=Sum("stock")).values("n")
        return (
            super().get_queryset(request).for_listing().select_related("category__parent__parent")
            .annotate(total_stock=Coalesce(Subquery(stock, output_field=IntegerField()), 0))
        )

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return _thumbnail(obj.primary_image, size=48)

    @admin.display(description="Category", ordering="category__name")
    def category_path(self, obj):
        """The category's own name, its path on hover: "Clothing > Dresses & skirts > Dresses" would take 3 lines."""
        return format_html('<span title="{}">{}</span>', obj.category, obj.category.name)

    @admin.display(description="Stock", ordering="total_stock")
    def stock(self, obj):
        total = getattr(obj, "total_stock", None)
        if total is None:
            total = sum(v.stock for v in obj.variants.all())
        if total == 0:
            return format_html('<strong style="color:#b00020">{}</strong>', "sold out")
        return total

    @admin.action(description="Activate selected products")
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Deactivate selected products")
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    def _set_active(self, request, queryset, value):
        count = queryset.update(is_active=value)
        state = "activated" if value else "deactivated"
        self.message_user(
            request, ngettext("%d product %s.", "%d products %s.", count) % (count, state), messages.SUCCESS
        )
