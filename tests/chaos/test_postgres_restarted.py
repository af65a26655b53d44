"""PostgreSQL stopped and started again under load: the shop fails fast with a clear 503, recovers by
itself, and loses or doubles no order.

Four shoppers (threads, each its own cookie jar) hammer a gunicorn server (2 workers x 4 threads, persistent
connections with CONN_HEALTH_CHECKS) with pages, API reads, cart additions and checkouts. Mid-run the
scenario's own PostgreSQL gets a fast shutdown (`pg_ctl stop -m fast`: transactions rolled back, connections
cut), stays down a few seconds and starts again. A checkout that got an error is sent again with the same
form (the same idempotency key) until it is acknowledged, as a shopper pressing "place order" again would.
"""

import random
import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest

from tests.chaos.harness import Shopper, order_id

pytestmark = pytest.mark.chaos

SHOPPERS = 4
WARM_S, DOWN_S, AFTER_S = 4.0, 4.0, 8.0
STOCK = 100_000
FAST_S = 2.0  # an answer during the outage must come back within this
RECOVERED_S = 5.0  # after PostgreSQL is back, every request succeeds within this


@dataclass
class Hit:
    label: str
    started: float  # time.time(), comparable with PostgreSQL's clock on this machine
    seconds: float
    status: int | None  # None: no HTTP answer at all
    error: str = ""
    retry_after: str | None = None

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500


@dataclass
class Load:
    base: str
    products: list[dict]
    hits: list[Hit] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # idempotency key -> order id
    failed_attempts: dict[str, list[float]] = field(default_factory=dict)  # key -> end times of failed POSTs
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, label: str, call):
        started, clock = time.time(), time.monotonic()
        try:
            response = call()
        except Exception as error:  # a hang past the timeout, a reset connection: no answer
            self._record(Hit(label, started, time.monotonic() - clock, None, type(error).__name__))
            return None
        self._record(Hit(label, started, time.monotonic() - clock, response.status_code,
                         retry_after=response.headers.get("Retry-After")))
        return response

    def _record(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def checkout(self, shopper: Shopper, state: dict, *, reopen: bool = True) -> None:
        """One turn: place the order on the checkout form in hand, then fill the cart and open the next form.

        Every shopper holds an open form most of the time, so the outage always catches some orders being placed.
        A form whose order got no acknowledgement stays in hand and is sent again next turn.
        """
        key = state.get("key")
        if key is not None:
            placed = self.hit("checkout", lambda: shopper.place_order(key))
            number = order_id(placed) if placed is not None else None
            if number is None:
                with self.lock:
                    self.failed_attempts.setdefault(key, []).append(time.time())
                return
            with self.lock:
                self.acknowledged[key] = number
            state["key"] = None
        if not reopen:
            return
        product = random.choice(self.products)
        added = self.hit("cart add", lambda: shopper.add_to_cart(product_path=product["path"],
                                                                 variant_id=product["variant"]))
        if added is not None and added.status_code == 302:
            form = self.hit("checkout form", lambda: shopper.get("/checkout/"))
            state["key"] = shopper.idempotency_key(form) if form is not None else None

    def shop_around(self, shopper: Shopper) -> None:
        state: dict = {}
        step = 0
        while not self.stop.is_set():
            product = self.products[step % len(self.products)]
            reads = [("home", "/"), ("category", product["category"]), ("product", product["path"]),
                     ("api list", "/api/products/"), ("api detail", f"/api/products/{product['id']}/"),
                     ("cart", "/cart/")]
            if step % 7 == 6:
                self.checkout(shopper, state)
            else:
                label, url = reads[step % len(reads)]
                self.hit(label, lambda: shopper.get(url))
            step += 1
            time.sleep(0.01)
        # Load over: the form still in hand is sent (again) until it is acknowledged.
        for _ in range(20):
            if state.get("key") is None:
                return
            self.checkout(shopper, state, reopen=False)
            time.sleep(0.5)


def test_a_postgres_restart_under_load_fails_fast_recovers_and_keeps_every_order(shop, postgres, figures):
    shop.sql("UPDATE catalog_variant SET stock = %s", [STOCK])
    rows = shop.sql("""
        SELECT p.id, p.slug, c.slug, min(v.id) FROM catalog_product p
          JOIN catalog_category c ON c.id = p.category_id JOIN catalog_variant v ON v.product_id = p.id
         GROUP BY p.id, p.slug, c.slug ORDER BY p.id LIMIT 20
    """)
    products = [{"id": pk, "path": f"/p/{slug}/", "category": f"/c/{category}/", "variant": variant}
                for pk, slug, category, variant in rows]
    web = shop.web(workers=2, threads=4)
    shoppers = []
    for n in range(SHOPPERS):
        shopper = Shopper(web.base, timeout=10)
        assert shopper.signup(f"loader{n}").status_code == 302
        shoppers.append(shopper)
    load = Load(base=web.base, products=products)
    threads = [threading.Thread(target=load.shop_around, args=(s,), daemon=True) for s in shoppers]
    for thread in threads:
        thread.start()

    time.sleep(WARM_S)
    down_from = time.time()
    postgres.stop()
    stopped = time.time()
    time.sleep(DOWN_S)
    postgres.start()
    back = time.time()
    time.sleep(AFTER_S)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    hits = sorted(load.hits, key=lambda h: h.started)
    # "During": every request the outage could touch, including those in flight when the stop began.
    before = [h for h in hits if h.started + h.seconds < down_from]
    during = [h for h in hits if h.started < back and h.started + h.seconds >= down_from]
    after = [h for h in hits if h.started >= back]
    failed_during = [h for h in during if h.failed]
    failed_after = [h for h in after if h.failed]
    recovery = max((h.started + h.seconds - back for h in failed_after), default=0.0)
    first_ok = min((h.started + h.seconds - back for h in after if not h.failed), default=None)

    user_ids = [row[0] for row in shop.sql("SELECT id FROM auth_user WHERE username LIKE %s", ["loader%"])]
    orders = shop.sql("""
        SELECT id, idempotency_key::text, extract(epoch FROM created_at) FROM orders_order WHERE user_id = ANY(%s)
    """, [user_ids])
    sold = shop.scalar("""
        SELECT coalesce(sum(l.quantity), 0) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
         WHERE o.user_id = ANY(%s)
    """, [user_ids])
    taken = shop.scalar("SELECT sum(%s - stock) FROM catalog_variant", [STOCK])
    # A retried checkout whose first attempt had committed: the answer was lost, the order was not doubled.
    committed_unanswered = sum(
        1 for _, key, created in orders if any(float(created) < end for end in load.failed_attempts.get(key, []))
    )

    figures.update({
        "requests": len(hits), "before": len(before), "during_outage": len(during), "after": len(after),
        "failed_during_outage": len(failed_during),
        "outage_statuses": _histogram(failed_during),
        "outage_503_with_retry_after": sum(1 for h in failed_during if h.status == 503 and h.retry_after),
        "max_latency_during_outage_s": round(max((h.seconds for h in during), default=0.0), 3),
        "p50_latency_before_s": round(statistics.median(h.seconds for h in before), 3),
        "stop_s": round(stopped - down_from, 1), "down_s": round(back - down_from, 1),
        "failed_after_restart": len(failed_after), "recovered_within_s": round(recovery, 2),
        "first_success_after_restart_s": round(first_ok, 2) if first_ok is not None else None,
        "checkouts_acknowledged": len(load.acknowledged), "orders_in_db": len(orders),
        "checkout_retries": sum(len(v) for v in load.failed_attempts.values()),
        "committed_while_client_saw_an_error": committed_unanswered, "units_sold": sold, "stock_taken": taken,
    })
    assert before and during and after
    assert all(not h.failed for h in before), _histogram([h for h in before if h.failed])
    assert failed_during, "the outage must be felt, or the scenario tested nothing"
    assert load.failed_attempts, "some checkouts must have been sent during the outage and sent again after"
    assert all(h.status == 503 and h.retry_after for h in failed_during), _histogram(failed_during)
    assert max(h.seconds for h in during) < FAST_S
    assert recovery < RECOVERED_S, f"failures {recovery:.1f} s after PostgreSQL was back: {_histogram(failed_after)}"
    assert first_ok is not None and not any(h.failed for h in after if h.started > back + RECOVERED_S)
    # No order lost or doubled: every acknowledged checkout is a row, every row was acknowledged, one per key.
    assert sorted(load.acknowledged.values()) == sorted(pk for pk, _, _ in orders)
    assert len({key for _, key, _ in orders}) == len(orders)
    assert sold == taken


def _histogram(hits: list[Hit]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hit in hits:
        name = f"{hit.label} {hit.status or hit.error}"
        counts[name] = counts.get(name, 0) + 1
    return counts
