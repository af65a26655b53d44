"""The owner's admin pages fit a 1280 px screen: no sideways scrolling of the page or of the product table.

Drives Debian's `chromium` through Playwright against a live server (skips, saying why, without them).
"""


import pytest

from tests.helpers.shop import SERVING_CACHE_KEY, SHOP_RECOMMENDER, realistic_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 1280
RESULTS_WIDTHS = "(() => { const r = document.querySelector('#changelist .results');" \
                 " return r ? [r.scrollWidth, r.clientWidth] : null })()"



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
