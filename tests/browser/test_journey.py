"""The shopper's journey in a real browser: browse a category, open a product, pick a size, add to
cart, sign up, check out, see the order in the history.

Drives Debian's `chromium` through Playwright (no downloaded browser). Screenshots go to the
git-ignored test-artifacts/screenshots/. Without chromium the test skips and says why; CI
(.ci/run) installs it.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from shop.catalog.models import Category, ProductImage
from shop.orders.models import Order
from tests.factories import ProductFactory, VariantFactory, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "a-long-enough-passphrase-42"

# (category path, name, brand, demo kind, colour, pattern, price, sizes with stock)
CATALOGUE = [
    (("Apparel", "Topwear"), "Oxford Shirt", "Northloom", "shirt", "Blue", "solid", "39.00", [("S", 4), ("M", 6), ("L", 0)]),
    (("Apparel", "Topwear"), "Breton Stripe Tee", "Saltmarsh", "tshirt", "White", "stripes", "19.50", [("S", 3), ("M", 2)]),
    (("Apparel", "Topwear"), "Gingham Shirt", "Kestrel", "shirt", "Red", "checks", "44.00", [("M", 5), ("L", 5)]),
    (("Apparel", "Topwear"), "Chunky Knit Sweater", "Fjordline", "sweater", "Olive", "solid", "69.00", [("M", 1), ("L", 8)]),
    (("Apparel", "Topwear"), "Field Jacket", "Oakmoss", "jacket", "Beige", "solid", "119.00", [("M", 2), ("XL", 3)]),
    (("Apparel", "Dresses"), "Polka Dot Dress", "Linnea", "dress", "Navy", "dots", "79.00", [("S", 2), ("M", 0)]),
    (("Apparel", "Bottomwear"), "Slim Chinos", "Portside", "trousers", "Brown", "solid", "49.00", [("30", 3), ("32", 4)]),
    (("Footwear", "Shoes"), "Court Sneakers", "Velvet Owl", "sneakers", "White", "solid", "89.00", [("41", 2), ("42", 3)]),
    (("Accessories", "Bags"), "Canvas Tote", "Marlowe & Co", "bag", "Green", "solid", "35.00", [("One size", 9)]),
]


def photo(kind: str, colour: str, pattern: str, seed: int) -> bytes:
    """A drawn product photo from the demo catalogue's renderer, or a plain swatch without it."""
    try:
        from shop.demo.render import render_product_jpeg
    except ImportError:
        return jpeg_bytes(size=(256, 320))
    return render_product_jpeg(kind=kind, colour=colour, pattern=pattern, seed=seed)


def build_catalogue():
    categories: dict[tuple[str, ...], Category] = {}
    for seed, (path, name, brand, kind, colour, pattern, price, sizes) in enumerate(CATALOGUE):
        parent = None
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in categories:
                categories[key] = Category.objects.create(
                    name=key[-1], slug=re.sub(r"\W+", "-", key[-1].lower()), parent=parent
                )
            parent = categories[key]
        product = ProductFactory(
            name=name, slug=re.sub(r"\W+", "-", name.lower()), brand=brand, category=parent,
            price=Decimal(price), base_colour=colour, gender="unisex",
            description=f"A {colour.lower()} {kind} from {brand}, cut for everyday wear.",
        )
        for position, (size, stock) in enumerate(sizes):
            VariantFactory(product=product, size=size, stock=stock, position=position)
        ProductImage.objects.create(
            product=product, image=ContentFile(photo(kind, colour, pattern, seed), name=f"{product.slug}.jpg")
        )



def shot(page, name: str, *, full_page=True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def test_a_shopper_browses_adds_to_cart_signs_up_checks_out_and_finds_the_order(page, live_server):
    from playwright.sync_api import expect

    build_catalogue()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Shop by category")).to_be_visible()
    shot(page, "01-home")

    # Browse a category.
    page.get_by_role("link", name=re.compile(r"^Topwear")).first.click()
    expect(page.get_by_role("heading", level=1, name="Topwear")).to_be_visible()
    expect(page.locator(".card")).to_have_count(5)
    shot(page, "02-category")

    # Open a product, pick a size, add it.
    page.get_by_role("link", name=re.compile("Oxford Shirt")).click()
    expect(page.get_by_role("heading", level=1, name="Oxford Shirt")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("^L"))).to_be_disabled()  # sold out
    page.get_by_role("radio", name=re.compile(r"^M\b")).check()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added Oxford Shirt (size M) to your cart.")).to_be_visible()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    shot(page, "03-product")

    # The cart, then checkout, which asks for an account; sign up and come straight back.
    page.get_by_role("link", name=re.compile("^Cart")).click()
    expect(page.get_by_role("link", name="Oxford Shirt")).to_be_visible()
    shot(page, "04-cart")
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label(re.compile(r"^Password(?! confirmation)")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Checkout: the guest cart came along.
    expect(page.get_by_role("heading", level=1, name="Checkout")).to_be_visible()
    expect(page.get_by_text("1 × Oxford Shirt")).to_be_visible()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label(re.compile(r"^Address(?! \(line 2\))")).fill("12 St James's Square")
    page.get_by_label("City").fill("London")
    page.get_by_label("Postcode").fill("SW1Y 4JH")
    page.get_by_label("Country").fill("United Kingdom")
    shot(page, "05-checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text(re.compile(r"Your order V\d+ has been placed"))).to_be_visible()

    # The order history.
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Your orders")).to_be_visible()
    expect(page.get_by_text("1 × Oxford Shirt")).to_be_visible()
    shot(page, "06-orders")
    order = Order.objects.get()
    assert order.user.username == "ada" and order.total == Decimal("39.00")

    # The same product page on a phone: one column, nothing cut off.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/p/oxford-shirt/")
    shot(page, "07-product-mobile")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
