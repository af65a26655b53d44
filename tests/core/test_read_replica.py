"""A read replica, for real: a gunicorn web process on a private primary with a streaming replica of it
(pg_basebackup -R from the embedded binaries), driven over HTTP as shoppers use it.

Replica lag is made on demand by pausing WAL replay, so what each answer shows says which server it came
from: a product renamed on the primary keeps its old name on the paused replica.
"""

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests

from shop.core.replica import PIN_COOKIE
from tests.chaos.harness import Shopper, become_subreaper, reap_orphans
from tests.conftest import REPO
from tests.helpers.replica import ReplicatedShop
from tests.worker import wait_for

pytestmark = pytest.mark.replica

PIN_SECONDS = 60.0  # long enough for a loaded machine's slow requests; its end is tested by the cookie's time
TIMEOUT = 30  # seconds an answer may take on a loaded machine before the test calls it a hang
SEED = """
import json
import numpy as np
from recommender.models import ProductEmbedding
from tests.factories import product_with_sizes
product = product_with_sizes(name="Linen shirt")
twin = product_with_sizes(name="Linen twin", sizes=(("M", 4),))
look = np.random.default_rng(1).standard_normal(1280).astype("float32")
for made, nudge in ((product, 0.0), (twin, 0.05)):
    vector = look + nudge * np.random.default_rng(2).standard_normal(1280).astype("float32")
    ProductEmbedding.objects.create(product=made, encoder="lite0", vector=(vector / np.linalg.norm(vector)).tolist())
print(json.dumps({"id": product.pk, "variant": product.variants.first().pk, "path": product.get_absolute_url(),
                  "twin": twin.pk}))
"""


@pytest.fixture(scope="module")
def replicated():
    parent = REPO / ".data"
    parent.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="replica-", dir=parent))
    become_subreaper()
    started = time.monotonic()
    shop = ReplicatedShop(root, seed_script=SEED, pin_seconds=PIN_SECONDS)
    print(f"\nprimary, streaming replica and web process ready in {time.monotonic() - started:.1f} s")
    yield shop
    shop.close()
    reap_orphans()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def shop(replicated):
    """The shop with its replica running and replaying, the seed product under its own name."""
    if not replicated.replica.running():
        replicated.replica.start()
    replicated.replica.resume_replay()
    product = json.loads(replicated.seed)
    replicated.primary.sql(ReplicatedShop.DATABASE, "UPDATE catalog_product SET name = 'Linen shirt' WHERE id = %s",
                           [product["id"]])
    replicated.replica.catch_up()
    yield replicated
    if replicated.replica.running():
        replicated.replica.resume_replay()


def product_name(base: str, product_id: int, http=requests) -> str:
    response = http.get(f"{base}/api/products/{product_id}/", timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:500]
    return response.json()["name"]


def test_a_shopper_who_just_acted_reads_their_own_writes_while_the_replica_lags(shop):
    product = json.loads(shop.seed)
    base = shop.web.base
    shopper, bystander = Shopper(base, timeout=TIMEOUT), Shopper(base, timeout=TIMEOUT)
    shop.replica.pause_replay()  # the replica lags from here on
    shop.primary.sql(shop.DATABASE, "UPDATE catalog_product SET name = 'Linen shirt, renamed' WHERE id = %s",
                     [product["id"]])

    # Catalogue reads come from the replica: it has not seen the rename.
    assert product_name(base, product["id"], bystander.http) == "Linen shirt"
    assert product_name(base, product["id"], shopper.http) == "Linen shirt"
    # So do "looks like this" (the vector query's transaction and SET LOCALs run on the hot standby), plain and
    # filtered (the iterative-scan path), and the products it names.
    for query in ("k=1", "k=1&size=M"):
        similar = bystander.get(f"/api/products/{product['twin']}/similar/?{query}")
        assert similar.status_code == 200, similar.text[:500]
        assert [item["product"]["name"] for item in similar.json()] == ["Linen shirt"]

    added = shopper.add_to_cart(product_path=product["path"], variant_id=product["variant"])
    assert added.status_code == 302
    # The write went to the primary, and for the pin window this shopper reads the primary: their cart (a row
    # the paused replica does not have), the product as it is now, and their feed.
    cart = shopper.get("/cart/")
    assert cart.status_code == 200 and "Linen shirt, renamed" in cart.text
    assert product_name(base, product["id"], shopper.http) == "Linen shirt, renamed"
    feed = shopper.get("/api/recommendations/?placement=cart")
    assert feed.status_code == 200, feed.text[:500]
    # Everyone else still reads the lagging replica.
    assert product_name(base, product["id"], bystander.http) == "Linen shirt"

    # After the window the shopper is back on the replica: the server goes by the time the cookie holds (a browser
    # also drops it then, by its Max-Age), so the window's end is the cookie's time having passed.
    [pin] = [cookie for cookie in shopper.http.cookies if cookie.name == PIN_COOKIE]
    assert time.time() < float(pin.value) <= time.time() + PIN_SECONDS
    pin.value = f"{time.time() - 1:.3f}"
    assert product_name(base, product["id"], shopper.http) == "Linen shirt"

    shop.replica.resume_replay()
    shop.replica.catch_up()
    assert product_name(base, product["id"], bystander.http) == "Linen shirt, renamed"


def test_reads_fall_back_to_the_primary_with_no_error_when_the_replica_stops(shop):
    product = json.loads(shop.seed)
    base = shop.web.base
    bystander = Shopper(base, timeout=TIMEOUT)
    assert product_name(base, product["id"], bystander.http) == "Linen shirt"  # a connection to the replica is open

    shop.replica.stop()
    pages = ["/", product["path"], "/api/products/", f"/api/products/{product['id']}/", "/api/recommendations/",
             f"/api/products/{product['id']}/similar/", "/search/?q=linen"]
    for _ in range(3):  # the first request finds the replica gone, the next ones skip it
        for path in pages:
            started = time.monotonic()
            response = bystander.get(path)
            assert response.status_code < 500, f"{path}: {response.status_code} {response.text[:300]}"
            # No hang either: the replica's absence is found at once (a closed socket), not after a timeout.
            assert time.monotonic() - started < 10, f"{path} took {time.monotonic() - started:.1f} s"
    assert product_name(base, product["id"], bystander.http) == "Linen shirt"
    added = bystander.add_to_cart(product_path=product["path"], variant_id=product["variant"])
    assert added.status_code == 302 and "Linen shirt" in bystander.get("/cart/").text

    # Started again, the replica takes the reads back (after the process's retry delay).
    shop.replica.start()
    shop.primary.sql(shop.DATABASE, "UPDATE catalog_product SET name = 'Linen shirt, back' WHERE id = %s",
                     [product["id"]])
    shop.replica.catch_up()
    shop.replica.pause_replay()
    shop.primary.sql(shop.DATABASE, "UPDATE catalog_product SET name = 'Linen shirt, primary only' WHERE id = %s",
                     [product["id"]])
    newcomer = Shopper(base, timeout=TIMEOUT)  # no pin cookie
    wait_for(lambda: product_name(base, product["id"], newcomer.http) == "Linen shirt, back", timeout=20,
             interval=0.5, what="reads served by the replica again")
