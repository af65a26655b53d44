"""Cart writes. Quantities are checked against stock here; checkout checks again under a lock.

Every refusal is a `CartError` whose message can be shown to the shopper as it is.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shop import events
from shop.accounts.visitors import Visitor
from shop.catalog.models import Variant

from .models import Cart, CartItem

MAX_QUANTITY = 20  # per line: a fashion shop, not a wholesaler


class CartError(Exception):
    """A cart change that was refused; str(error) is a message for the shopper."""


def cart_get_or_create(*, visitor: Visitor) -> Cart:
    owner = {"user": visitor.user} if visitor.user is not None else {"guest_key": visitor.guest_key}
    if not any(owner.values()):
        raise ValueError("a guest needs a guest key for a cart (visitor_from_request(create_guest_key=True))")
    try:
        with transaction.atomic():
            cart, _ = Cart.objects.get_or_create(**owner)
    except IntegrityError:  # two first additions at once: the other request made it
        cart = Cart.objects.get(**owner)
    return cart


def _validated_quantity(quantity: int) -> int:
    if quantity < 1:
        raise CartError("Quantity must be at least 1.")
    if quantity > MAX_QUANTITY:
        raise CartError(f"You can add at most {MAX_QUANTITY} of one item.")
    return quantity


def _refuse_beyond_stock(variant: Variant, wanted: int) -> None:
    if variant.stock <= 0:
        raise CartError(f"Sorry, {variant.product.name} in size {variant.size} is out of stock.")
    if wanted > variant.stock:
        raise CartError(f"Only {variant.stock} left of {variant.product.name} in size {variant.size}.")


def cart_item_add(*, visitor: Visitor, variant_id: int, quantity: int) -> CartItem:
    """Add to the visitor's cart (made on first use); sends cart_item_added."""
    _validated_quantity(quantity)
    variant = Variant.objects.select_related("product").filter(pk=variant_id, product__is_active=True).first()
    if variant is None:
        raise CartError("That size is no longer available. Please choose another.")
    cart = cart_get_or_create(visitor=visitor)
    existing = cart.items.filter(variant=variant).first()
    total = quantity + (existing.quantity if existing else 0)
    _refuse_beyond_stock(variant, total)
    _validated_quantity(total)
    if existing:
        CartItem.objects.filter(pk=existing.pk).update(quantity=F("quantity") + quantity)
        existing.refresh_from_db(fields=["quantity"])
        item = existing
    else:
        item = CartItem.objects.create(cart=cart, variant=variant, quantity=quantity)
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    events.cart_item_added.send_robust(
        sender=CartItem, user=visitor.user, session_key=visitor.session_key, at=None,
        product_id=variant.product_id, variant_id=variant.pk, quantity=quantity,
    )
    return item


def cart_item_set_quantity(*, cart: Cart, item_id: int, quantity: int) -> CartItem | None:
    """Change a line's quantity; 0 removes it (returns None)."""
    item = cart.items.select_related("variant__product").filter(pk=item_id).first()
    if item is None:
        raise CartError("That item is no longer in your cart.")
    if quantity == 0:
        item.delete()
        return None
    _validated_quantity(quantity)
    if quantity > item.quantity:  # lowering a quantity is always allowed, even when stock ran out
        _refuse_beyond_stock(item.variant, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


def cart_merge(*, guest_key: str, user) -> Cart | None:
    """Move a guest cart into the user's; quantities add up to at most MAX_QUANTITY.

    Stock is not applied here: the cart page shows what is short and checkout refuses it, so a
    login never silently drops what the guest chose."""
    with transaction.atomic():
        guest = Cart.objects.select_for_update().filter(guest_key=guest_key, user__isnull=True).first()
        if guest is None:
            return None
        target = cart_get_or_create(visitor=Visitor(user=user, guest_key=None, session_key=None))
        theirs = {item.variant_id: item for item in target.items.select_for_update()}
        for item in guest.items.all():
            mine = theirs.get(item.variant_id)
            wanted = item.quantity + (mine.quantity if mine else 0)
            quantity = min(wanted, MAX_QUANTITY)
            if mine:
                mine.quantity = quantity
                mine.save(update_fields=["quantity"])
            else:
                CartItem.objects.create(cart=target, variant_id=item.variant_id, quantity=quantity)
        guest.delete()
        return target
