"""The recommender health page: staff only, and it renders whether or not the broker and workers answer."""

import pytest
from django.urls import reverse

from recommender import dashboard
from recommender.models import EvaluationRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/recommender/health/"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_health_page_is_linked_from_the_admin_index(staff_client):
    assert URL in staff_client.get("/admin/").content.decode()
    assert reverse("admin:recommender-health") == URL


def test_a_shopper_is_sent_to_the_login_page(client):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_see_coverage_queue_signals_and_the_latest_evaluation(staff_client, monkeypatch):
    monkeypatch.setattr(dashboard, "live_workers", lambda: [])  # no worker in the test run: no 1 s wait
    EvaluationRun.objects.create(k=10, step="done", finished_at="2025-01-01T00:00Z", chart="reports/x.png",
                                 results={"shoppers": 3, "held_out": 4,
                                          "sources": {"hybrid": {"ndcg": 0.5, "precision": 0.1, "recall": 0.2,
                                                                 "coverage": 0.6}}})
    page = staff_client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Image embeddings" in text and "Behaviour signals" in text and "0.5000" in text
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
    page = staff_client.get(URL)
    assert page.status_code == 200
    assert page.content.decode().count("unreachable") >= 2


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


def test_staff_see_which_vectors_answer_and_how_the_compact_ones_were_fitted(staff_client, monkeypatch, settings,
                                                                            django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.core.management import call_command

    from recommender.models import ProductEmbedding
    from tests.factories import ProductFactory
    from tests.recommender.embeddings.test_compact import low_rank

    monkeypatch.setattr(dashboard, "live_workers", lambda: [])
    settings.RECOMMENDER = {"ENCODER": "toy96", "COMPACT_DIMS": 8}
    for vector in low_rank(n=30):
        ProductEmbedding.objects.create(product=ProductFactory(), encoder="toy96", vector=vector)
    cache.delete("recommender:serving-encoder")
    try:
        assert "<strong>toy96</strong> (30 product vectors)." in staff_client.get(URL).content.decode()
        with django_capture_on_commit_callbacks(execute=True):  # the fit's commit drops the cached serving encoder
            call_command("compact_vectors", verbosity=0)
        text = staff_client.get(URL).content.decode()
    finally:
        cache.delete("recommender:serving-encoder")
    assert "<strong>toy96-pca8</strong> (30 product vectors): the top 8 principal components of toy96" in text
    assert "fitted on 30 products" in text
