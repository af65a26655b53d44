"""A small shop for the merchandising tests: a product page with look-alikes (vectors in pgvector), a staff member
who edits rules through the real API, and readers of what each page and endpoint shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory, product_with_sizes
from tests.helpers.vectors import direction, lookalikes, with_vector

RULES_URL = "/api/merchandising/rules/"


@dataclass
class World:
    anchor: object
    similar: list
    other: object  # in stock, looks like nothing on the page: only a rule brings it


def product_page_world(*, seed: int = 7, count: int = 10, brand_every: int = 0, brand: str = "Recalled") -> World:
    """An anchor with `count` look-alikes; with brand_every=n every n-th look-alike has `brand`."""
    cache.clear()
    base = direction(seed)
    anchor = with_vector(product_with_sizes(name="Anchor jacket"), base)
    similar = lookalikes(base, count)
    if brand_every:
        for i, product in enumerate(similar):
            if i % brand_every == 0:
                product.brand = brand
                product.name = f"{brand} look-alike {i}"
                product.save(update_fields=["brand", "name"])
    other = with_vector(product_with_sizes(name="Spring collection coat"), direction(seed + 100))
    return World(anchor=anchor, similar=similar, other=other)


def staff_client(client):
    staff = UserFactory(username="stylist", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client, staff


def rule_post(client, **fields) -> dict:
    response = client.post(RULES_URL, fields, content_type="application/json")
    assert response.status_code == 201, response.json()
    return response.json()


def page_rails(client, product) -> dict[str, list]:
    """{rail name: [(product id, reason), ...]} of a product page, as rendered."""
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return {rail.name: [(item.product.pk, item.reason) for item in rail.items] for rail in response.context["rails"]}


def api_items(client, **params) -> list[dict]:
    response = client.get(reverse("recommender-api:recommendations"), params)
    assert response.status_code == 200, response.content
    return response.json()
