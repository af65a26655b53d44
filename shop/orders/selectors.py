"""Order reads: a user's history with lines, in two queries."""

from django.db.models import QuerySet

from .models import Order


def orders_for_user(*, user) -> QuerySet:
    return Order.objects.filter(user=user).prefetch_related("lines").order_by("-created_at", "-id")


def order_get_for_user(*, user, pk: int) -> Order | None:
    return orders_for_user(user=user).filter(pk=pk).first()
