"""Orders as placed: the address, totals, and a snapshot of each line (name, size, price then).

There is no payment gateway: an order is recorded with status "placed" and nothing is charged.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from shop.catalog.models import Product, Variant


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Placed"


class Order(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="orders", on_delete=models.PROTECT)
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=20)
    country = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # From the checkout form: a second submit of the same form finds this order instead of making another.
    idempotency_key = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="order_unique_idempotency_key"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self):
        return f"Order {self.number}"

    @property
    def number(self) -> str:
        return f"V{self.pk:06d}"

    def get_absolute_url(self):
        return reverse("orders:detail", kwargs={"pk": self.pk})


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    # Kept nullable so retiring a product never rewrites or blocks past orders; the snapshot stays.
    variant = models.ForeignKey(Variant, null=True, related_name="order_lines", on_delete=models.SET_NULL)
    product = models.ForeignKey(Product, null=True, related_name="order_lines", on_delete=models.SET_NULL)
    product_name = models.CharField(max_length=200)
    size = models.CharField(max_length=20)
    sku = models.CharField(max_length=64)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_name} ({self.size})"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity
