"""Demo shoppers: accounts named demo-shopper-NNN with unusable passwords (nobody signs in as them).

In: how many shoppers and a seed. Out: a `ShopperSummary`. Idempotent: existing accounts are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password


@dataclass
class ShopperSummary:
    created: int = 0
    existing: int = 0

    def __str__(self) -> str:
        return f"created {self.created} demo shoppers, {self.existing} already present"


def shopper_username(number: int) -> str:
    return f"demo-shopper-{number:03d}"


def demo_shoppers_create(
    *, shoppers: int = 300, seed: int = 7, on_progress: Callable[[int], None] | None = None
) -> ShopperSummary:
    User = get_user_model()
    names = [shopper_username(i) for i in range(1, shoppers + 1)]
    present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    new = [User(username=name, email=f"{name}@demo.invalid", password=make_password(None))
           for name in names if name not in present]
    User.objects.bulk_create(new)
    if on_progress:
        on_progress(len(names))
    return ShopperSummary(created=len(new), existing=len(present))
