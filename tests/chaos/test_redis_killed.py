"""Redis killed under a live shop: gunicorn and a Celery worker keep running, shoppers keep shopping.

While Redis is gone (SIGKILL, nothing saved), every page and API read answers without a 5xx, a guest
views products, adds to the cart, signs up and places an order, and staff add a product with a photo in
admin: orders and interactions land in PostgreSQL, the failed enqueues are logged. Redis comes back on the
same port (empty: the queue it held is lost); the worker reconnects by itself, and the beat tasks, sent
through the broker as beat does, find the photo and the product text that were never queued and embed them.
"""

import io
import time
import uuid

import pytest
from PIL import Image

from tests.chaos.harness import Shopper, order_id, port_open, wait_for

pytestmark = pytest.mark.chaos

ADMIN_PASSWORD = "chaos-admin-password-42"


def catalogue(shop, n: int) -> list[dict]:
    rows = shop.sql("""
        SELECT p.id, p.slug, c.slug, min(v.id) FROM catalog_product p
          JOIN catalog_category c ON c.id = p.category_id
          JOIN catalog_variant v ON v.product_id = p.id AND v.stock > 0
         GROUP BY p.id, p.slug, c.slug ORDER BY p.id LIMIT %s
    """, [n])
    return [{"id": pk, "path": f"/p/{slug}/", "category": f"/c/{category}/", "variant": variant}
            for pk, slug, category, variant in rows]


def photo() -> bytes:
    image = Image.new("RGB", (300, 400))
    image.putdata([(x % 256, (x * y) % 256, y % 256) for y in range(400) for x in range(300)])
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


class Timed:
    """Every response a scenario got, with its latency."""

    def __init__(self):
        self.responses: list[tuple[str, int, float]] = []

    def __call__(self, label: str, call):
        started = time.monotonic()
        response = call()
        self.responses.append((label, response.status_code, time.monotonic() - started))
        return response

    def server_errors(self) -> list[tuple[str, int]]:
        return [(label, status) for label, status, _ in self.responses if status >= 500]


def test_with_redis_killed_pages_orders_and_events_carry_on_and_the_reconciler_catches_up(shop, redis, figures):
    products = catalogue(shop, 4)
    worker = shop.worker()
    web = shop.web()
    shop.manage("createsuperuser", "--noinput", "--username", "chaos-admin", "--email", "admin@example.com",
                env={"DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD})
    # A running shop has its vectors: embed the catalogue's photos and texts first, so the rails and search by
    # meaning have something to work with, and what is missing after the outage is only what it lost.
    shop.celery_call("recommender.tasks.reconcile_embeddings_task")
    shop.celery_call("recommender.tasks.reconcile_text_embeddings_task")
    catalogue_size = shop.scalar("SELECT count(*) FROM catalog_product")
    wait_for(lambda: shop.scalar("SELECT count(*) FROM recommender_imageembedding WHERE status = 'ready'")
             == shop.scalar("SELECT count(*) FROM recommender_textembedding") == catalogue_size,
             timeout=300, interval=1, what="the catalogue embedded")
    warm = Shopper(web.base, timeout=60)
    assert warm.get("/").status_code == 200 and warm.get(products[0]["path"]).status_code == 200
    rails_before = warm.get(products[0]["path"]).text.count('data-rail="')

    redis.kill()
    killed = time.monotonic()
    assert not port_open(redis.port)
    timed = Timed()

    # Every page and API read, as a guest and as a signed-in shopper.
    shopper = Shopper(web.base, timeout=60)
    assert timed("signup", lambda: shopper.signup("regular")).status_code == 302
    first, second = products[0], products[1]
    reads = ["/", first["category"], first["path"], second["path"], "/cart/", "/search/?q=shirt", "/search/photo/",
             "/likes/", "/accounts/login/", "/api/products/", f"/api/products/{first['id']}/",
             f"/api/products/{first['id']}/similar/", "/api/recommendations/?placement=home",
             f"/api/recommendations/?placement=product&product={first['id']}", "/api/schema/"]
    guest = Shopper(web.base, timeout=60)
    for client in (guest, shopper):
        for url in reads:
            timed(url, lambda: client.get(url))
    rails_during = guest.get(first["path"]).text.count('data-rail="')

    # A guest views two products, adds one to the cart, signs up (the cart follows) and places an order.
    buyer = Shopper(web.base, timeout=60)
    for product in products[2:4]:
        timed("view", lambda: buyer.get(product["path"]))
    added = timed("add to cart", lambda: buyer.add_to_cart(product_path=products[2]["path"],
                                                            variant_id=products[2]["variant"]))
    assert added.status_code == 302
    assert timed("signup", lambda: buyer.signup("outage-buyer")).status_code == 302
    key = buyer.checkout_form()
    assert key, "the checkout form renders"
    placed = timed("checkout", lambda: buyer.place_order(key))
    acknowledged = order_id(placed)
    assert acknowledged, f"checkout answered {placed.status_code} {placed.headers.get('Location')}"
    event = timed("event", lambda: buyer.http.post(
        web.base + "/api/events/", json={"kind": "view", "product": products[0]["id"]}, timeout=60,
        headers={"X-CSRFToken": buyer.http.cookies.get("csrftoken", ""), "Referer": web.base + "/"}))
    assert event.status_code == 202

    # Staff add a product with a photo in admin.
    staff = Shopper(web.base, timeout=60)
    login = timed("admin login", lambda: staff.post("/admin/login/?next=/admin/",
                                                    {"username": "chaos-admin", "password": ADMIN_PASSWORD}))
    assert login.status_code == 302, login.text[:500]
    category = shop.scalar("SELECT id FROM catalog_category WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1")
    slug = f"outage-coat-{uuid.uuid4().hex[:6]}"
    saved = timed("admin add product", lambda: staff.post("/admin/catalog/product/add/", {
        "name": "Outage coat", "slug": slug, "brand": "Vitrine", "category": category, "gender": "women",
        "price": "149.00", "currency": "EUR", "is_active": "on", "description": "A coat added while Redis was down.",
        "base_colour": "Grey", "season": "", "usage": "", "year": "", "attributes": "{}",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "0", "variants-0-size": "M",
        "variants-0-sku": f"{slug}-M", "variants-0-stock": "3", "variants-0-position": "0",
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0", "images-0-position": "0", "images-0-alt_text": "",
    }, files={"images-0-image": ("coat.jpg", photo(), "image/jpeg")}))
    assert saved.status_code == 302, saved.text[:2000]
    outage_seconds = time.monotonic() - killed

    # What the outage left in PostgreSQL.
    buyer_id = shop.scalar("SELECT id FROM auth_user WHERE username = 'outage-buyer'")
    orders = shop.sql("SELECT id FROM orders_order WHERE user_id = %s", [buyer_id])
    assert orders == [(acknowledged,)]
    interactions = dict(shop.sql("""
        SELECT kind, count(*) FROM recommender_interaction WHERE user_id = %s GROUP BY kind
    """, [buyer_id]))
    assert interactions.get("view") == 3 and interactions.get("cart") == 1 and interactions.get("purchase") == 1
    image_id, image_sha = shop.sql("""
        SELECT i.id, i.sha256 FROM catalog_productimage i JOIN catalog_product p ON p.id = i.product_id
         WHERE p.slug = %s
    """, [slug])[0]
    product_id = shop.scalar("SELECT id FROM catalog_product WHERE slug = %s", [slug])
    assert f"could not queue embeddings for images [{image_id}]" in web.process.output()
    assert f"could not queue text embeddings for products [{product_id}]" in web.process.output()
    assert shop.scalar("SELECT count(*) FROM recommender_imageembedding WHERE image_id = %s", [image_id]) == 0
    assert worker.alive, "the worker survives the broker going away"

    # Redis back, empty. The worker reconnects; beat's sweeps find what was never queued.
    redis.start()
    back = time.monotonic()
    wait_for(lambda: worker.output().count("INFO/MainProcess] Connected to redis://") >= 2,
             timeout=120, what="the worker reconnected to Redis")
    reconnected = time.monotonic() - back
    shop.celery_call("recommender.tasks.reconcile_embeddings_task")
    shop.celery_call("recommender.tasks.reconcile_text_embeddings_task")
    wait_for(lambda: shop.sql("""
        SELECT 1 FROM recommender_imageembedding
         WHERE image_id = %s AND status = 'ready' AND sha256 = %s AND vector IS NOT NULL
    """, [image_id, image_sha]), timeout=180, interval=0.5, what="the outage photo embedded")
    photo_caught_up = time.monotonic() - back
    wait_for(lambda: shop.sql("SELECT 1 FROM recommender_textembedding WHERE product_id = %s", [product_id]),
             timeout=180, interval=0.5, what="the outage product's text embedded")
    text_caught_up = time.monotonic() - back
    assert shop.sql("SELECT 1 FROM recommender_productembedding WHERE product_id = %s", [product_id])
    assert Shopper(web.base).get("/").status_code == 200

    slowest = max(timed.responses, key=lambda response: response[2])
    statuses: dict[str, int] = {}
    for _, status, _ in timed.responses:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    figures.update({
        "requests_during_outage": len(timed.responses), "statuses": statuses,
        "server_errors": len(timed.server_errors()), "max_latency_s": round(slowest[2], 2), "slowest": slowest[0],
        "outage_s": round(outage_seconds, 1), "orders_saved": len(orders),
        "buyer_interactions": interactions, "rails_on_product_page": {"before": rails_before, "during": rails_during},
        "worker_reconnected_s": round(reconnected, 1),
        "photo_embedded_s_after_redis_back": round(photo_caught_up, 1),
        "text_embedded_s_after_redis_back": round(text_caught_up, 1),
    })
    assert timed.server_errors() == []
