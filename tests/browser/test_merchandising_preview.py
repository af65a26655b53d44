"""The merchandising preview in a real browser: staff sign in, open the rules, choose a product and see each rail
before and after the rules, every rule's effect marked (a pin, a bury, an exclusion struck through, an out-of-stock
pin said to be skipped), then a shopper and a guest's home feed. Screenshots go to the git-ignored
test-artifacts/screenshots/ (MERCH_SCREENSHOTS names another folder)."""

import os
from pathlib import Path

import pytest

from recommender.interactions.services import interaction_record
from recommender.models import MerchandisingRule
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.merchandising import product_page_world
from tests.helpers.vectors import direction, with_vector

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("MERCH_SCREENSHOTS")
                   or Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots")


def sign_in(page, live_server):
    UserFactory(username="stylist", is_staff=True, is_superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "stylist")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def test_staff_preview_a_product_page_and_a_shoppers_feed_before_and_after_the_rules(page, live_server):
    world = product_page_world(brand_every=3)
    sold_out = with_vector(product_with_sizes(name="Sold-out boots", sizes=(("M", 0),)), direction(300))
    pin = MerchandisingRule.objects.create(name="Spring collection first", kind="pin", product=world.other,
                                           position=1, placement="product", priority=5)
    MerchandisingRule.objects.create(name="Boots first", kind="pin", product=sold_out, position=2)
    recall = MerchandisingRule.objects.create(name="Recall: Recalled brand", kind="exclude", match_brand="Recalled")
    bury = MerchandisingRule.objects.create(name="Less of look-alike 4", kind="boost", factor=0.2,
                                            match_product=world.similar[4])
    sign_in(page, live_server)

    page.goto(live_server.url + "/admin/recommender/merchandisingrule/")
    assert "When rules conflict:" in page.inner_text("#conflict-rule")
    page.click("text=Preview a rail before and after the rules")
    page.select_option("#id_placement", "product")
    page.fill("#id_product", "Anchor jacket")
    page.click("button:has-text('Preview')")
    rail = page.locator("section[data-rail=looks_like]")
    rail.wait_for()

    after = rail.locator("ol.after li.merch-card")
    assert after.first.get_attribute("data-product") == str(world.other.pk)
    assert f"#{pin.pk} pinned at 1" in after.first.inner_text()
    assert "Picked by our stylists" in after.first.inner_text()
    struck = rail.locator("ol.before li.struck")
    assert struck.count() >= 1 and f"excluded by rule {recall.pk}" in struck.first.inner_text()
    recalled = {str(p.pk) for p in world.similar if p.brand == "Recalled"}
    assert not recalled & {after.nth(i).get_attribute("data-product") for i in range(after.count())}
    assert "Sold-out boots" in rail.locator(".merch-skipped").inner_text()
    assert "out of stock" in rail.locator(".merch-skipped").inner_text()
    assert f"#{bury.pk} buried x0.2" in page.inner_text("section[data-rail=looks_like]") or \
        str(world.similar[4].pk) not in {after.nth(i).get_attribute("data-product") for i in range(after.count())}
    assert page.locator("#merch-legend").inner_text().count("#") >= 3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "after-merch-preview-product.png"), full_page=True)

    shopper = UserFactory(username="ada")
    interaction_record(kind="like", product_id=world.anchor.pk, user_id=shopper.pk)
    MerchandisingRule.objects.create(name="Spring coat on home", kind="pin", product=world.other, position=2,
                                     placement="home")
    page.select_option("#id_placement", "home")
    page.fill("#id_product", "")
    page.fill("#id_shopper", "ada")
    page.click("button:has-text('Preview')")
    home = page.locator("section[data-rail=for_you]")
    home.wait_for()
    assert home.locator("ol.after li.merch-card").nth(1).get_attribute("data-product") == str(world.other.pk)
    page.screenshot(path=str(SCREENSHOTS / "after-merch-preview-home.png"), full_page=True)

    page.fill("#id_shopper", "nobody-by-that-name")
    page.click("button:has-text('Preview')")
    assert "No shopper 'nobody-by-that-name'." in page.inner_text("#merch-preview-form")
