"""Placing an order: one transaction that locks stock, records the order and empties the cart.

Lock order matters: the cart row first (so a double submit of one cart runs one after the other and
the second finds the first's order by its idempotency key), then the variants in primary-key order
(so two carts sharing variants can never deadlock).
"""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Case, F, Value, When

from shop import events
from shop.cart.models import Cart
from shop.catalog.models import Variant

from .models import Order, OrderLine


@dataclass(frozen=True)
class Address:
    full_name: str
    email: str
    address_line1: str
    city: str
    postcode: str
    country: str
    address_line2: str = ""


class CheckoutError(Exception):
    """The order could not be placed; str(error) is a message for the shopper. The cart is untouched."""


class EmptyCart(CheckoutError):
    def __init__(self):
        super().__init__("Your cart is empty.")


class OutOfStock(CheckoutError):
    def __init__(self, shortages: list[tuple[str, str, int]]):
        self.shortages = shortages  # (product name, size, how many are left)
        parts = [f"{name} in size {size} ({left} left)" for name, size, left in shortages]
        super().__init__("Sorry, not enough stock for: " + "; ".join(parts) + ". Your cart has been kept.")


def order_place(
    *, cart: Cart, user, address: Address, idempotency_key: UUID, session_key: str | None = None
) -> Order:
    """Place the cart as an order, or return the order already placed with this key."""
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        items = list(cart.items.all())
        if not items:
            raise EmptyCart()
        variants = {
            v.pk: v
            for v in Variant.objects.select_for_update(of=("self",))
            .select_related("product")
            .filter(pk__in=[item.variant_id for item in items])
            .order_by("pk")
        }
        shortages = []
        for item in items:
            variant = variants[item.variant_id]  # cart items go with their variant, so it exists
            available = variant.stock if variant.product.is_active else 0
            if available < item.quantity:
                shortages.append((variant.product.name, variant.size, available))
        if shortages:
            raise OutOfStock(shortages)

        total = sum((variants[i.variant_id].product.price * i.quantity for i in items), Decimal("0.00"))
        order = Order.objects.create(
            user=user, idempotency_key=idempotency_key, total=total,
            currency=variants[items[0].variant_id].product.currency, **address.__dict__,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order, variant=variants[i.variant_id], product=variants[i.variant_id].product,
                product_name=variants[i.variant_id].product.name, size=variants[i.variant_id].size,
                sku=variants[i.variant_id].sku, unit_price=variants[i.variant_id].product.price,
                quantity=i.quantity,
            )
            for i in items
        )
        # One UPDATE whatever the number of lines; the check constraint backs the stock test above.
        Variant.objects.filter(pk__in=variants).update(
            stock=F("stock") - Case(*(When(pk=i.variant_id, then=Value(i.quantity)) for i in items), default=0)
        )
        cart.items.all().delete()

        lines = [(variants[i.variant_id].product_id, i.variant_id, i.quantity) for i in items]
        transaction.on_commit(
            lambda: events.order_placed.send_robust(
                sender=Order, user=user, session_key=session_key, at=None, order_id=order.pk, items=lines
            )
        )
    return order
