"""Search by words in a real browser, from the first page load: a small catalogue, its text vectors
computed the way `make run` computes them at start-up (`manage.py embed_texts --missing --sync`,
with the real offline text model), then a shopper types "something to wear at the beach": "beach"
is in no product's name or description, and the products it means come first, the winter and
office ones not at all.

Drives Debian's `chromium` through Playwright (no downloaded browser). Screenshots go to the
git-ignored test-artifacts/screenshots/. Without chromium the test skips and says why.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from shop.catalog.models import Category, Product
from tests.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# (category, name, description). "beach" and "wear" are in none of them; the first three are what it means.
CATALOGUE = [
    ("Swimwear", "Striped swim trunks", "Quick-dry trunks with a drawstring waist, for the sea and the pool."),
    ("Shorts", "Linen shorts", "Light linen shorts with an elastic waist for hot summer days."),
    ("Sandals", "Leather flip-flops", "Flat toe-post sandals with a cushioned sole, for sand and sun."),
    ("Coats", "Wool overcoat", "A long double-breasted coat in heavy wool for cold winters."),
    ("Sweaters", "Chunky knit sweater", "A thick cable-knit jumper to keep warm in the snow."),
    ("Shirts", "Oxford shirt", "A crisp button-down office shirt in cotton oxford cloth."),
    ("Trousers", "Pleated suit trousers", "Tailored wool trousers for the office and formal occasions."),
    ("Boots", "Hiking boots", "Waterproof leather boots with a deep tread for mountain trails."),
]
BEACH = {"Striped swim trunks", "Linen shorts", "Leather flip-flops"}


def build_catalogue():
    clothing = Category.objects.create(name="Clothing", slug="clothing")
    for index, (category, name, description) in enumerate(CATALOGUE):
        leaf = Category.objects.create(name=category, slug=category.lower(), parent=clothing)
        ProductFactory(
            name=name, slug=re.sub(r"\W+", "-", name.lower()), brand="Vitrine", category=leaf,
            description=description, price=Decimal("20.00") + index, gender="unisex",
        )
    assert not Product.objects.filter(name__icontains="beach").exists()
    assert not Product.objects.filter(description__icontains="beach").exists()



def card_names(page) -> list[str]:
    return [name.strip() for name in page.locator(".grid .card h3").all_inner_texts()]


def test_a_word_in_no_product_name_finds_what_it_means_from_the_first_page_load(page, live_server):
    from playwright.sync_api import expect

    build_catalogue()
    call_command("embed_texts", "--missing", "--sync", verbosity=0)  # what `make run` does before serving

    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").fill("something to wear at the beach")
    page.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("heading", level=1, name=re.compile("Results for"))).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search-beach.png"), full_page=True)
    names = card_names(page)
    # No word of the query is in a name or description, so every hit comes from meaning.
    assert names and names[0] in BEACH, names
    assert BEACH <= set(names[:4]), names  # swimwear, shorts and sandals at the top
    assert not {"Wool overcoat", "Chunky knit sweater", "Oxford shirt", "Pleated suit trousers"} & set(names), names
    assert page.get_by_test_id("result-count").inner_text() == f"{len(names)} items"  # exact: not cut at the cap


def test_a_500_character_query_does_not_widen_the_page(page, live_server):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(live_server.url + "/search/?q=" + "supercalifragilistic" * 25)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
