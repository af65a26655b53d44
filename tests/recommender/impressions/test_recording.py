"""Recording what rails showed: one compact row per rail with a request id the card links carry, from pages and the
API alike; never failing a page; pruned by age."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from recommender.impressions.buffer import buffer_length
from recommender.impressions.codes import source_name
from recommender.impressions.metrics import impressions_prune
from recommender.models import Attribution, Impression
from tests.helpers.experiments import card_links, flushed, trending_shop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_a_home_page_records_one_row_per_rail_with_the_ids_in_order_and_links_carry_its_request_id(client):
    products = trending_shop()
    page = client.get("/").content.decode()
    links = card_links(page)
    assert links and buffer_length() == 1  # buffered, not written by the page
    assert not Impression.objects.exists()
    flushed()
    row = Impression.objects.get()
    shown = [path for path, _, _ in links]
    by_path = {p.get_absolute_url(): p.pk for p in products}
    assert row.product_ids == [by_path[path] for path in shown]
    assert {rid for _, _, rid in links} == {row.request_id}
    assert (row.placement, row.rail, row.ranker, row.arm, row.experiment_id) == ("home", "for_you", "blend", "", None)
    assert {source_name(code) for code in row.sources} == {"trending"}


def test_a_product_page_records_each_of_its_rails(client):
    products = trending_shop()
    client.get(products[0].get_absolute_url())  # viewed-with neighbours exist from the earlier guests
    flushed()
    rails = set(Impression.objects.filter(placement="product").values_list("rail", flat=True))
    assert rails and rails <= {"looks_like", "bought_together", "also_viewed"}
    assert len(set(Impression.objects.values_list("request_id", flat=True))) == 1


def test_the_api_records_its_answer_and_a_click_sent_with_its_request_id_is_attributed(client):
    trending_shop()
    response = client.get("/api/recommendations/", {"placement": "home", "k": 4})
    request_id = response["Recommendation-Request-Id"]
    product = response.json()[1]["product"]["id"]
    client.get("/")  # a session and its CSRF cookie for the event
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    answer = client.post("/api/events/", {"kind": "click", "product": product, "rail": "api",
                                          "request_id": request_id}, content_type="application/json",
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 202, answer.content
    flushed()
    click = Attribution.objects.get(kind="click")
    assert click.impression.request_id == request_id and click.impression.rail == "api"
    assert click.product_id == product


def test_a_click_with_a_malformed_request_id_is_refused_with_a_400(client):
    product = trending_shop()[0]
    client.get("/")
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    answer = client.post("/api/events/", {"kind": "click", "product": product.pk, "rail": "api",
                                          "request_id": "not-hex!"}, content_type="application/json",
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 400 and "request_id" in answer.json()["errors"]


def test_a_click_counts_once_however_often_the_card_is_opened(client):
    trending_shop()
    path, rail, rid = card_links(client.get("/").content.decode())[0]
    for _ in range(3):
        client.get(f"{path}?rail={rail}&rid={rid}")
    flushed()
    assert Attribution.objects.filter(kind="click").count() == 1


def test_with_redis_stopped_pages_still_render_and_nothing_is_recorded(client, settings):
    trending_shop()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    response = client.get("/")
    assert response.status_code == 200 and 'class="rail"' in response.content.decode()
    assert not Impression.objects.exists()


def test_with_impressions_off_nothing_is_buffered_and_links_carry_no_request_id(client, settings):
    settings.RECOMMENDER = {"IMPRESSIONS": False}
    trending_shop()
    page = client.get("/").content.decode()
    assert 'class="rail"' in page and "rid=" not in page and buffer_length() == 0


def test_impressions_older_than_the_kept_days_are_pruned_with_their_attributions(client, settings):
    settings.RECOMMENDER = {"IMPRESSION_KEEP_DAYS": 30}
    trending_shop()
    path, rail, rid = card_links(client.get("/").content.decode())[0]
    client.get(f"{path}?rail={rail}&rid={rid}")
    client.get("/")
    flushed()
    old = Impression.objects.get(request_id=rid)
    Impression.objects.filter(pk=old.pk).update(shown_at=timezone.now() - timedelta(days=31))
    pruned = impressions_prune()
    assert pruned["impressions"] == 1 and pruned["attributions"] == 1
    assert not Impression.objects.filter(pk=old.pk).exists() and not Attribution.objects.exists()
    assert Impression.objects.exists()  # the later page's rails are kept
