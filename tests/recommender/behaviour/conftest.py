"""Helpers for behaviour tests: send shop events at chosen times, then rebuild."""

import pytest
from django.utils import timezone

from shop import events


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def order(*, shopper: str, products, at) -> None:
    """A simulated order by a guest shopper (its own basket when shoppers differ)."""
    events.order_placed.send(sender="test", user=None, session_key=shopper, at=at, order_id=None,
                             items=[(p.pk, None, 1) for p in products])


def view(*, shopper: str, product, at) -> None:
    events.product_viewed.send(sender="test", user=None, session_key=shopper, at=at, product_id=product.pk)
