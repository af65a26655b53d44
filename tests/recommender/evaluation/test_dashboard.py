"""The recommender health page: staff only; plain statements first, the detail below; it renders whether or not the
broker and workers answer, never waits for them, and costs the same number of queries whatever the catalogue's size."""

import re

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse

from recommender import cache as cache_keys
from recommender.dashboard import selectors
from recommender.models import EvaluationRun, ImageEmbedding, ProductEmbedding, TextEmbedding
from tests.factories import ProductImageFactory, UserFactory, product_with_sizes
from tests.helpers.shop import (
    ENCODER,
    SERVING_CACHE_KEY,
    SHOP_RECOMMENDER,
    low_rank_vectors,
    realistic_shop,
    unit_vector,
)

pytestmark = pytest.mark.django_db
URL = "/admin/recommender/health/"


KEYS = [SERVING_CACHE_KEY, cache_keys.HEALTH_WORKERS, cache_keys.HEALTH_SNAPSHOT]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.delete_many(KEYS)
    yield
    cache.delete_many(KEYS)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def no_ping(monkeypatch):
    """The page must never ping the workers (a ping waits its whole timeout): make a ping fail the test."""
    from shop.celery import app

    def pinged(*args, **kwargs):
        raise AssertionError("the health page pinged the workers while rendering")

    monkeypatch.setattr(app.control, "inspect", pinged)


def summary_of(html: str) -> str:
    """The statements above the detail, as text."""
    head = html[html.index('id="summary"'):html.index('id="detail"')]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", head))


def test_the_health_page_is_linked_from_the_admin_index(staff_client):
    assert URL in staff_client.get("/admin/").content.decode()
    assert reverse("admin:recommender-health") == URL


def test_a_shopper_is_sent_to_the_login_page(client):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_page_leads_with_what_an_owner_can_act_on(staff_client, settings, no_ping):
    settings.RECOMMENDER = SHOP_RECOMMENDER
    realistic_shop()
    text = summary_of(staff_client.get(URL).content.decode())
    # 7 photos: 5 ready, 1 failed, 1 pending; 5 products on sale, 4 of them with a text vector.
    assert "5 of 7 product photos are searchable; 1 is waiting to be processed and 1 could not be read." in text
    assert "4 of 5 products on sale are searchable by meaning." in text
    assert "Recommendations beat best-sellers by 218% on 275 shoppers’ latest purchases" in text
    assert "their top 10 held 10.8% of what each went on to cart or buy, best-sellers’ 3.4%" in text
    assert "What shoppers view and buy was last learned 20 minutes ago, from 6 shopper actions." in text
    assert "Checking the background workers" in text
    for jargon in ("NDCG", "pca", "-d vectors", "principal components", "no row", "generation", ENCODER):
        assert jargon.lower() not in text.lower(), jargon


def test_the_engineering_detail_sits_below_in_a_collapsed_section(staff_client, settings, no_ping):
    settings.RECOMMENDER = SHOP_RECOMMENDER
    realistic_shop()
    html = staff_client.get(URL).content.decode()
    detail = html[html.index('<details class="health-detail" id="detail">'):html.index("</details>")]
    assert "Image embeddings" in detail and "Behaviour signals" in detail and "generation 2" in detail
    assert "This file is damaged or incomplete." in html  # why photos failed, for the owner to fix
    start = detail.index('id="evaluation"')
    table = detail[start:detail.index("</table>", start)]
    assert table.count("<tr>") == 7  # a header, the blend once (hybrid_default repeats it), best-sellers, 4 sources
    assert "(hybrid_default)" not in table and "Best-sellers (the baseline)" in table
    assert "10.8%" in table and "0.260" in table
    assert "Variety" in detail and "0 = all alike, 1 = no two alike" in detail


def test_all_photos_searchable_and_all_products_searchable_by_meaning(staff_client, settings, no_ping):
    settings.RECOMMENDER = SHOP_RECOMMENDER
    rng = np.random.default_rng(1)
    for _ in range(3):
        product = product_with_sizes()
        image = product.images.get()
        ImageEmbedding.objects.create(image=image, encoder=ENCODER, sha256=image.sha256, status="ready",
                                      vector=unit_vector(rng))
        TextEmbedding.objects.create(product=product, model="minilm-l6-v2", text_sha256="0" * 64,
                                     vector=unit_vector(rng, 384))
    text = summary_of(staff_client.get(URL).content.decode())
    assert "All 3 product photos are searchable." in text
    assert "All 3 products on sale are searchable by meaning." in text
    assert "Recommendations have not been measured yet." in text


def test_the_page_never_waits_for_the_workers_and_the_status_poll_asks_them_once_per_interval(
        staff_client, monkeypatch):
    from shop.celery import app

    pings = []

    class Inspect:
        def ping(self):
            pings.append(1)
            return {"celery@shop": {"ok": "pong"}}

    monkeypatch.setattr(app.control, "inspect", lambda timeout: pings.append(timeout) or Inspect())
    assert "Checking the background workers" in staff_client.get(URL).content.decode()
    assert pings == []
    status = staff_client.get(URL + "status/").json()
    assert status["workers"] == {"known": True, "names": ["celery@shop"], "checked_at": status["workers"]["checked_at"]}
    assert status["workers_statement"]["text"].startswith("Background work is running: 1 worker")
    staff_client.get(URL + "status/")
    assert len(pings) == 2  # one ping (timeout, then ping()), then the cached answer
    assert "Background work is running: 1 worker" in summary_of(staff_client.get(URL).content.decode())


def test_staff_see_coverage_queue_signals_and_the_latest_evaluation(staff_client, no_ping):
    EvaluationRun.objects.create(k=10, step="done", finished_at="2025-01-01T00:00Z", chart="reports/x.png",
                                 results={"shoppers": 3, "held_out": 4,
                                          "sources": {"hybrid": {"ndcg": 0.5, "precision": 0.1, "recall": 0.2,
                                                                 "coverage": 0.6}}})
    page = staff_client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Image embeddings" in text and "Behaviour signals" in text and "0.500" in text
    assert "reports/x.png" in text
    assert "waiting" in text  # Redis answered LLEN
    status = staff_client.get(URL + "status/").json()
    assert status["evaluation"]["step"] == "done" and status["queue"] is not None


def test_a_down_broker_shows_unreachable_instead_of_failing(staff_client, monkeypatch):
    from shop.celery import app

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(app.control, "inspect", broken)
    monkeypatch.setattr("redis.Redis.from_url", broken)
    monkeypatch.setattr(selectors, "_broker_clients", {})
    page = staff_client.get(URL)
    assert page.status_code == 200
    assert "unreachable" in page.content.decode()
    status = staff_client.get(URL + "status/").json()
    assert status["queue"] is None and status["workers"]["names"] is None
    assert status["workers_statement"]["text"].startswith("The task queue cannot be reached")


def test_a_down_cache_leaves_the_page_up(staff_client, no_ping):
    from django.test import override_settings

    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    with override_settings(CACHES=down):
        page = staff_client.get(URL)
    assert page.status_code == 200
    assert "Checking the background workers" in page.content.decode()


def test_a_button_with_the_broker_down_says_so_without_a_500(staff_client, monkeypatch):
    from recommender import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.evaluate_task, "apply_async", broken)
    response = staff_client.post(URL + "evaluate/", follow=True)
    assert response.status_code == 200
    assert "unreachable" in response.content.decode()
    assert not EvaluationRun.objects.exists()


def test_the_evaluate_button_queues_a_run(staff_client, monkeypatch):
    from recommender import tasks

    queued = []
    monkeypatch.setattr(tasks.evaluate_task, "apply_async", lambda args, **kw: queued.append(args))
    staff_client.post(URL + "evaluate/")
    run = EvaluationRun.objects.get()
    assert queued == [(run.pk,)] and run.step == "queued"


def test_the_page_makes_the_same_number_of_queries_whatever_the_catalogue_size(
        staff_client, settings, no_ping, django_assert_max_num_queries, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.RECOMMENDER = SHOP_RECOMMENDER
    realistic_shop()
    staff_client.get(URL)  # the serving encoder is cached from here on, as on a running shop
    selectors.health_snapshot_forget()  # each measured load reads everything, as one after SNAPSHOT_SECONDS does
    with CaptureQueriesContext(connection) as small:
        staff_client.get(URL)
    rng = np.random.default_rng(2)
    for n in range(40):
        product = product_with_sizes(sizes=(("S", n % 3), ("M", 1)))
        ProductImageFactory(product=product, position=1)
        for image in product.images.all():
            ImageEmbedding.objects.create(image=image, encoder=ENCODER, sha256=image.sha256,
                                          status="failed" if n % 7 == 0 else "ready",
                                          error=f"reason {n % 9}" if n % 7 == 0 else "")
        ProductEmbedding.objects.create(product=product, encoder=ENCODER, vector=unit_vector(rng))
        TextEmbedding.objects.create(product=product, model="minilm-l6-v2", text_sha256="0" * 64,
                                     vector=unit_vector(rng, 384))
    selectors.health_snapshot_forget()
    with django_assert_num_queries(len(small)):
        staff_client.get(URL)
    selectors.health_snapshot_forget()
    with django_assert_max_num_queries(14):
        staff_client.get(URL)
    with django_assert_max_num_queries(4):  # within SNAPSHOT_SECONDS: session, user, the app list, the progress
        staff_client.get(URL)


def test_staff_see_which_vectors_answer_and_how_the_compact_ones_were_fitted(staff_client, settings, no_ping,
                                                                            django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from tests.factories import ProductFactory

    settings.RECOMMENDER = {"ENCODER": "toy96", "COMPACT_DIMS": 8}
    for vector in low_rank_vectors(n=30):
        ProductEmbedding.objects.create(product=ProductFactory(), encoder="toy96", vector=vector)
    assert "the <strong>toy96</strong> vectors of 30 products." in staff_client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the fit's commit drops the cached serving encoder
        call_command("compact_vectors", verbosity=0)
    selectors.health_snapshot_forget()  # the page would show it SNAPSHOT_SECONDS later
    text = staff_client.get(URL).content.decode()
    assert "the <strong>toy96-pca8</strong> vectors of 30 products: the top 8 principal components of toy96" in text
    assert "fitted on 30 products" in text
    assert "Searched 40 deep" in text and "of the true 10 nearest of 30 sampled products" in text
