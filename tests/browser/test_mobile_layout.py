"""The storefront on a 390 px phone in a real browser: nothing wider than the screen, a compact header,
the filters folded so products come first, and every card's photo box the same size whatever the photo.

Drives Debian's `chromium` through Playwright (no downloaded browser); skips and says why without it.
"""


import pytest
from django.core.files.base import ContentFile

from shop.catalog.models import Category, ProductImage
from tests.factories import ProductFactory, VariantFactory, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Photos of every shape a shop gets: square packshots, tall portraits, wide banners.
PHOTO_SIZES = [(240, 240), (200, 600), (600, 200), (300, 400)]



@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def shop():
    """Two categories, a long product name, a price with a currency to keep together, photos of every shape."""
    clothing = Category.objects.create(name="Clothing", slug="clothing")
    outerwear = Category.objects.create(name="Outerwear", slug="outerwear", parent=clothing)
    tops = Category.objects.create(name="Tops", slug="tops", parent=clothing)
    products = []
    for i, size in enumerate(PHOTO_SIZES * 2):
        product = ProductFactory(
            name=f"Relaxed organic cotton striped oversized t-shirt {i}" if i else "Cashmere-blend wide-leg trousers",
            slug=f"item-{i}", category=outerwear if i % 2 else tops, price="177.99", base_colour="Navy",
        )
        for position, label in enumerate(("S", "M", "L")):
            VariantFactory(product=product, size=label, stock=3, position=position)
        ProductImage.objects.create(product=product, image=ContentFile(jpeg_bytes(size=size), name=f"p{i}.jpg"))
        products.append(product)
    return {"category": clothing, "product": products[1]}


def no_horizontal_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("page_name", ["home", "category", "product"])
def test_a_phone_never_scrolls_sideways(phone, live_server, shop, page_name):
    url = {"home": "/", "category": shop["category"].get_absolute_url(),
           "product": shop["product"].get_absolute_url()}[page_name]
    phone.goto(live_server.url + url)
    phone.wait_for_load_state("load")
    assert no_horizontal_scroll(phone) <= PHONE["width"], f"{page_name} is wider than the phone"


def test_on_a_phone_the_header_is_compact_and_products_come_before_the_filters(phone, live_server, shop):
    from playwright.sync_api import expect

    phone.goto(live_server.url + shop["category"].get_absolute_url())
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 140, f"the header takes {header['height']} px"
    expect(phone.get_by_label("Min price")).to_be_hidden()  # folded behind "Filters"
    first_card = phone.locator(".listing-results .card").first.bounding_box()
    assert first_card["y"] < PHONE["height"], f"the first product starts {first_card['y']} px down"
    phone.get_by_text("Filters", exact=True).click()
    expect(phone.get_by_label("Min price")).to_be_visible()
    assert phone.locator(".site-header").get_by_role("link", name="Search by photo").is_visible()


def test_on_a_desktop_the_filters_are_open_beside_the_results(chromium, live_server, shop):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(live_server.url + shop["category"].get_absolute_url())
        expect(page.get_by_label("Min price")).to_be_visible()
    finally:
        context.close()


def test_card_photos_sit_in_boxes_of_one_size_whatever_the_photos_shape(phone, live_server, shop):
    phone.goto(live_server.url + shop["category"].get_absolute_url())
    phone.wait_for_load_state("load")
    boxes = phone.locator(".listing-results .card-image").evaluate_all(
        "boxes => boxes.map(b => [Math.round(b.getBoundingClientRect().width), Math.round(b.getBoundingClientRect().height)])")
    assert len(boxes) == len(PHOTO_SIZES) * 2
    assert len(set(map(tuple, boxes))) == 1, boxes


def test_a_price_keeps_its_currency_on_the_same_line(phone, live_server, shop):
    phone.goto(live_server.url + shop["category"].get_absolute_url())
    heights = phone.locator(".card-price").evaluate_all(
        "prices => prices.map(p => p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight))")
    assert heights and all(h < 1.5 for h in heights), heights
