"""A tiny shop for the learned ranker's tests: blue and red tops, shoppers who view both and buy only blue.

`colour_world(shoppers=..., sessions=..., looks_like_colour=...)` -> World(blue, red, users). Each shopper has `sessions` visits three days
apart, the last ending a day ago; in each they view three blue and three red tops and then cart and buy one of the
blue ones they viewed. Every product has an image vector: blue ones near one direction and red ones near another, or (looks_like_colour
False) random ones, so that only behaviour and attributes tell the colours apart.
Events go through the recommender's own interaction path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.utils import timezone

from recommender.vectors import store
from recommender.interactions.services import InteractionEvent, interactions_record_bulk
from recommender.models import ImageEmbedding
from tests.factories import CategoryFactory, UserFactory, product_with_sizes
from tests.helpers.vectors import DIM, direction, with_vector



def coloured_product(colour: str, n: int, *, category, rng, looks_like_colour: bool = True) -> object:
    """`looks_like_colour`: its vector near its colour's direction; else a random one (images say nothing)."""
    if looks_like_colour:
        base = direction(1 if colour == "Blue" else 2)
        vector = base + 0.3 * rng.standard_normal(DIM).astype(np.float32) / np.sqrt(DIM)
    else:
        vector = rng.standard_normal(DIM).astype(np.float32)
    return with_vector(product_with_sizes(name=f"{colour} top {n}", base_colour=colour, category=category), vector)


@dataclass
class World:
    blue: list
    red: list
    users: list


def colour_world(*, shoppers: int = 20, sessions: int = 3, products: int = 10, seed: int = 3,
                 looks_like_colour: bool = True) -> World:
    rng = np.random.default_rng(seed)
    category = CategoryFactory(name="Tops")
    blue = [coloured_product("Blue", n, category=category, rng=rng, looks_like_colour=looks_like_colour)
            for n in range(products)]
    red = [coloured_product("Red", n, category=category, rng=rng, looks_like_colour=looks_like_colour)
           for n in range(products)]
    users = [UserFactory() for _ in range(shoppers)]
    now = timezone.now()
    events = []
    for user in users:
        for s in range(sessions):
            start = now - timedelta(days=1 + 3 * (sessions - 1 - s))
            seen_blue = [blue[i] for i in rng.choice(products, 3, replace=False)]
            seen_red = [red[i] for i in rng.choice(products, 3, replace=False)]
            for minute, product in enumerate(seen_blue + seen_red):
                events.append(InteractionEvent("view", product.pk, user_id=user.pk,
                                               at=start + timedelta(minutes=minute)))
            chosen = seen_blue[int(rng.integers(3))]
            for kind, minute in (("cart", 8), ("purchase", 9)):
                events.append(InteractionEvent(kind, chosen.pk, user_id=user.pk, at=start + timedelta(minutes=minute)))
    interactions_record_bulk(events=events)
    return World(blue=blue, red=red, users=users)
