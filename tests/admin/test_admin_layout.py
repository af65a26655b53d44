"""The owner's admin pages fit a 1280 px screen: no sideways scrolling of the page or of the product table.

Drives Debian's `chromium` through Playwright against a live server (skips, saying why, without them).
"""

import os
import shutil

import pytest

from tests.helpers.shop import SERVING_CACHE_KEY, SHOP_RECOMMENDER, realistic_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTH = 1280
RESULTS_WIDTHS = "(() => { const r = document.querySelector('#changelist .results');" \
                 " return r ? [r.scrollWidth, r.clientWidth] : null })()"


@pytest.fixture
def chromium():
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    # Playwright's sync API runs an event loop on this thread; the test's ORM calls are plain blocking ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def test_the_product_pages_and_the_health_page_fit_1280_px(chromium, live_server, settings):
    from django.core.cache import cache

    settings.RECOMMENDER = SHOP_RECOMMENDER
    cache.delete_many([SERVING_CACHE_KEY, "recommender:health:snapshot"])
    shop = realistic_shop()
    product = shop.products[0]  # two photos, sizes, look-alikes
    page = chromium.new_context(viewport={"width": WIDTH, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", shop.owner.username)
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    for path in ("/admin/catalog/product/", "/admin/catalog/product/add/",
                 f"/admin/catalog/product/{product.pk}/change/", "/admin/recommender/health/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, path
        table = page.evaluate(RESULTS_WIDTHS)
        assert table is None or table[0] <= table[1], (path, table)
    cache.delete_many([SERVING_CACHE_KEY, "recommender:health:snapshot"])
