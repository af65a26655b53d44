"""Order reads: a user's history with its lines, each line's product (for the link) and the product's
images (for the thumbnail), in four queries whatever the number of orders and lines."""

from django.db.models import Prefetch, QuerySet

from shop.catalog.models import ProductImage

from .models import Order, OrderLine


def orders_for_user(*, user) -> QuerySet:
    lines = OrderLine.objects.select_related("product").prefetch_related(
        Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id"))
    ).order_by("id")
    return Order.objects.filter(user=user).prefetch_related(Prefetch("lines", queryset=lines)).order_by(
        "-created_at", "-id"
    )


def order_get_for_user(*, user, pk: int) -> Order | None:
    return orders_for_user(user=user).filter(pk=pk).first()
