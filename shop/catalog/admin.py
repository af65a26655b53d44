"""Catalogue admin: products with thumbnails, variant and image inlines, bulk (de)activation."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import ngettext

from .models import Category, Product, ProductImage, Variant


def _thumbnail(image, size=64):
    if not image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" style="object-fit:contain;background:#fff">',
        image.image.url, image.alt_text, size, size,
    )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slug", "position")
    list_select_related = ("parent__parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("size", "sku", "stock", "position")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("preview", "image", "position", "alt_text", "sha256")
    readonly_fields = ("preview", "sha256")

    @admin.display(description="Preview")
    def preview(self, obj):
        return _thumbnail(obj if obj.pk else None, size=96)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("thumbnail", "name", "brand", "category", "gender", "base_colour", "price", "is_active")
    list_display_links = ("thumbnail", "name")
    list_filter = ("is_active", "gender", "category", "base_colour")
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
        return super().get_queryset(request).for_listing()

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return _thumbnail(obj.primary_image)

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
