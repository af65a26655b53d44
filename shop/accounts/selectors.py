"""Account reads: a visitor's likes, in a fixed number of queries."""

from django.db.models import QuerySet

from shop.catalog.models import Product

from .models import Like
from .visitors import Visitor


def _likes(visitor: Visitor) -> QuerySet:
    if visitor.user is not None:
        return Like.objects.filter(user=visitor.user)
    if visitor.guest_key is not None:
        return Like.objects.filter(user__isnull=True, guest_key=visitor.guest_key)
    return Like.objects.none()


def liked_products(*, visitor: Visitor) -> QuerySet:
    """The visitor's liked, active products, most recently liked first, ready for product cards."""
    if visitor.user is not None:
        owned = {"likes__user": visitor.user}
    elif visitor.guest_key is not None:
        owned = {"likes__user__isnull": True, "likes__guest_key": visitor.guest_key}
    else:
        return Product.objects.none()
    # One filter() call, so the ordering below reuses the same join to the like rows.
    return Product.objects.active().filter(**owned).for_listing().order_by("-likes__created_at", "-id")


def product_is_liked(*, visitor: Visitor, product: Product) -> bool:
    if visitor.user is None and visitor.guest_key is None:
        return False  # saves a query for first-time guests
    return _likes(visitor).filter(product=product).exists()
