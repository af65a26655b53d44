"""Orders in admin: read-only records of what was placed (there is no payment step to manage)."""

from django.contrib import admin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("product_name", "size", "sku", "unit_price", "quantity")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "user", "email", "total", "currency", "status", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("id", "email", "user__username", "full_name")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    inlines = (OrderLineInline,)
    readonly_fields = ("user", "idempotency_key", "total", "currency", "created_at")
    view_on_site = False  # the order page is its shopper's alone: staff following the link would get a 404

    def has_add_permission(self, request):
        return False  # orders come from checkout, where stock is taken
