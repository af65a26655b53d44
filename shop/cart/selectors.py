"""Cart reads. `cart_summary` gathers a cart's lines in two queries into plain dataclasses."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Sum

from shop.accounts.visitors import Visitor
from shop.catalog.models import ProductImage

from .models import Cart, CartItem


@dataclass(frozen=True)
class CartLine:
    item: CartItem

    @property
    def variant(self):
        return self.item.variant

    @property
    def product(self):
        return self.item.variant.product

    @property
    def quantity(self) -> int:
        return self.item.quantity

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.item.quantity

    @property
    def short_by(self) -> int:
        """How many more are in the cart than in stock right now (0 when it can all be bought)."""
        return max(0, self.item.quantity - self.variant.stock)


@dataclass(frozen=True)
class CartSummary:
    cart: Cart | None
    lines: list[CartLine]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def currency(self) -> str:
        return self.lines[0].product.currency if self.lines else ""

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and not any(line.short_by for line in self.lines)


def cart_for_visitor(*, visitor: Visitor) -> Cart | None:
    """The visitor's cart if they have one; never creates (a page view must not write)."""
    if visitor.user is not None:
        return Cart.objects.filter(user=visitor.user).first()
    if visitor.guest_key is not None:
        return Cart.objects.filter(guest_key=visitor.guest_key).first()
    return None


def cart_summary(*, cart: Cart | None) -> CartSummary:
    if cart is None:
        return CartSummary(cart=None, lines=[])
    items = (
        cart.items.select_related("variant__product__category")
        .prefetch_related(
            Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "id"))
        )
        .order_by("added_at", "id")
    )
    return CartSummary(cart=cart, lines=[CartLine(item) for item in items])


def cart_item_count(*, visitor: Visitor) -> int:
    """For the header badge: one query, none for a first-time guest."""
    if visitor.user is not None:
        owner = {"cart__user": visitor.user}
    elif visitor.guest_key is not None:
        owner = {"cart__guest_key": visitor.guest_key}
    else:
        return 0
    return CartItem.objects.filter(**owner).aggregate(n=Sum("quantity"))["n"] or 0
