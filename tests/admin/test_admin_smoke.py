"""Every admin page a superuser can open answers, on a shop with real rows in it.

Models come from `admin.site._registry`, so a model registered later is covered without editing this file; the
shop it runs on (tests.helpers.shop) must then hold a row of it, or the changelist test says so. Actions and
custom URLs are listed with what each must do: one added without an entry here fails until it gets one.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_deleted_objects
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.helpers.shop import SERVING_CACHE_KEY, SHOP_RECOMMENDER, realistic_shop
from tests.worker import purge_queue

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_IDS = [model._meta.label for model, _ in REGISTERED]
# Names every ModelAdmin's get_urls() makes; anything else is a custom page and needs an entry in CUSTOM_URLS.
STANDARD_SUFFIXES = ("changelist", "add", "history", "delete", "change")
STANDARD_SITE_URLS = {"index", "login", "logout", "password_change", "password_change_done", "autocomplete",
                      "jsi18n", "view_on_site", "app_list"}


@pytest.fixture
def shop(settings):
    settings.RECOMMENDER = SHOP_RECOMMENDER
    # What another test cached (serving encoder, the health page's snapshot) would hide this shop's rows.
    keys = [SERVING_CACHE_KEY, "recommender:health:snapshot", "recommender:health:workers"]
    cache.delete_many(keys)
    built = realistic_shop()
    yield built
    cache.delete_many(keys)
    purge_queue()  # what the actions queued: no worker runs here, and none must find it later


@pytest.fixture
def owner_client(client, shop):
    client.force_login(shop.owner)
    return client


def owner_request(shop):
    request = RequestFactory().get("/admin/")
    request.user = shop.owner
    return request


def url(model, name: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def first_row(model, model_admin, shop):
    row = model_admin.get_queryset(owner_request(shop)).order_by("pk").first()
    assert row is not None, f"tests.helpers.shop.realistic_shop() holds no {model._meta.label}: add one"
    return row


def deletable_row(model, model_admin, shop):
    """A row whose deletion nothing protects (a category with products, a shopper with orders would be refused)."""
    request = owner_request(shop)
    for row in model_admin.get_queryset(request).order_by("-pk"):
        if not get_deleted_objects([row], request, model_admin.admin_site)[3]:
            return row
    pytest.fail(f"every {model._meta.label} in the shop is protected from deletion: add one that is not")


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_the_changelist_lists_real_rows(owner_client, shop, model, model_admin):
    response = owner_client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0, f"no {model._meta.label} row: add one to realistic_shop()"


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_the_add_page_opens_where_adding_is_allowed(owner_client, shop, model, model_admin):
    response = owner_client.get(url(model, "add"))
    # Orders come from checkout and embeddings from the worker: their admins refuse to add, with a 403.
    assert response.status_code == (200 if model_admin.has_add_permission(owner_request(shop)) else 403)


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_the_change_and_history_pages_open_for_every_row(owner_client, shop, model, model_admin):
    for row in model_admin.get_queryset(owner_request(shop)).order_by("pk")[:5]:
        assert owner_client.get(url(model, "change", row.pk)).status_code == 200, row
        assert owner_client.get(url(model, "history", row.pk)).status_code == 200, row


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_the_delete_page_asks_before_deleting(owner_client, shop, model, model_admin):
    row = first_row(model, model_admin, shop)
    response = owner_client.get(url(model, "delete", row.pk))
    assert response.status_code == (200 if model_admin.has_delete_permission(owner_request(shop), row) else 403)
    assert model.objects.filter(pk=row.pk).exists()


SEARCH_TERMS = ["blue", "Ada", "42", "V000001", "é ü 🙂", "a" * 300, "'; DROP TABLE x; --", "%_\\", "  "]


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_the_search_box_answers_any_words(owner_client, shop, model, model_admin):
    if not model_admin.get_search_fields(owner_request(shop)):
        pytest.skip(f"{model._meta.label} has no search box")
    for term in SEARCH_TERMS:
        assert owner_client.get(url(model, "changelist"), {"q": term}).status_code == 200, term


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_every_filter_choice_answers(owner_client, shop, model, model_admin):
    changelist = owner_client.get(url(model, "changelist")).context["cl"]
    links = [choice["query_string"] for spec in changelist.filter_specs for choice in spec.choices(changelist)]
    if changelist.date_hierarchy:
        field = changelist.date_hierarchy
        dated = model_admin.get_queryset(owner_request(shop)).exclude(**{field: None}).first()
        day = getattr(dated, field) if dated else timezone.now()
        links += ["?" + urlencode({f"{field}__year": day.year}),
                  "?" + urlencode({f"{field}__year": day.year, f"{field}__month": day.month}),
                  "?" + urlencode({f"{field}__year": day.year, f"{field}__month": day.month,
                                   f"{field}__day": day.day})]
    if not links:
        pytest.skip(f"{model._meta.label} has no filters")
    for link in links:
        response = owner_client.get(url(model, "changelist") + link)
        assert response.status_code == 200, link


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_every_autocomplete_answers(owner_client, shop, model, model_admin):
    fields = model_admin.get_autocomplete_fields(owner_request(shop))
    if not fields:
        pytest.skip(f"{model._meta.label} has no autocomplete fields")
    for name in fields:
        query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name}
        for term in ("", "Clo", "zzz"):
            response = owner_client.get(reverse("admin:autocomplete"), {**query, "term": term})
            assert response.status_code == 200, (name, term)
            assert "results" in response.json()


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_view_on_site_leads_to_a_page_that_opens(owner_client, shop, model, model_admin):
    row = first_row(model, model_admin, shop)
    if not (model_admin.view_on_site and hasattr(row, "get_absolute_url")):
        pytest.skip(f"{model._meta.label} has no page on the site")
    from django.contrib.contenttypes.models import ContentType

    response = owner_client.get(reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(model).pk,
                                                                    row.pk]))
    assert response.status_code == 302
    assert owner_client.get(response["Location"]).status_code == 200


# --- actions: what each must do, checked on the rows it was given -----------------------------------------------

def _refreshed(rows):
    return [type(row).objects.get(pk=row.pk) for row in rows]


def _products_active(value: bool):
    def check(rows, response):
        assert all(row.is_active is value for row in _refreshed(rows))
    return check


def _images_queued_again(rows, response):
    from recommender.models import EmbeddingStatus, ImageEmbedding

    embeddings = ImageEmbedding.objects.filter(image__product__in=rows, encoder=SHOP_RECOMMENDER["ENCODER"])
    assert embeddings.exists() and all(e.status == EmbeddingStatus.PENDING and e.attempts == 0 for e in embeddings)
    assert "queued for embedding" in response.content.decode()


def _tasks_enabled(value: bool | None):
    def check(rows, response):
        before = {row.pk: row.enabled for row in rows}
        after = {row.pk: row.enabled for row in _refreshed(rows)}
        assert after == ({pk: not on for pk, on in before.items()} if value is None else dict.fromkeys(before, value))
    return check


def _tasks_run(rows, response):
    assert f"{len(rows)} task was successfully run" in response.content.decode()


ACTION_CHECKS: dict[tuple[str, str], Callable] = {
    ("catalog.Product", "activate"): _products_active(True),
    ("catalog.Product", "deactivate"): _products_active(False),
    ("catalog.Product", "reembed"): _images_queued_again,
    ("django_celery_beat.PeriodicTask", "enable_tasks"): _tasks_enabled(True),
    ("django_celery_beat.PeriodicTask", "disable_tasks"): _tasks_enabled(False),
    ("django_celery_beat.PeriodicTask", "toggle_tasks"): _tasks_enabled(None),
    ("django_celery_beat.PeriodicTask", "run_tasks"): _tasks_run,
}
# The admin's own list (the site's delete_selected included) before any per-request permission check.
ACTIONS = [(model, model_admin, name) for model, model_admin in REGISTERED
           for _, name, _ in model_admin._get_base_actions() if name != "delete_selected"]


def test_every_action_has_a_check():
    missing = {(model._meta.label, name) for model, _, name in ACTIONS} - set(ACTION_CHECKS)
    assert not missing, f"actions with no check in ACTION_CHECKS: {sorted(missing)}"


@pytest.mark.parametrize("model, model_admin, name", ACTIONS,
                         ids=[f"{model._meta.label}.{name}" for model, _, name in ACTIONS])
def test_every_action_does_what_it_says(owner_client, shop, model, model_admin, name):
    rows = list(model_admin.get_queryset(owner_request(shop)).order_by("pk")[:2])
    assert rows, f"no {model._meta.label} row to run {name} on"
    before = _refreshed(rows)
    response = owner_client.post(url(model, "changelist"),
                                 {"action": name, "_selected_action": [row.pk for row in rows]}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain and response.redirect_chain[-1][1] == 302
    ACTION_CHECKS[(model._meta.label, name)](before, response)


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=MODEL_IDS)
def test_delete_selected_asks_then_deletes(owner_client, shop, model, model_admin):
    if "delete_selected" not in model_admin.get_actions(owner_request(shop)):
        pytest.skip(f"{model._meta.label} cannot be deleted in bulk")
    row = deletable_row(model, model_admin, shop)
    form = {"action": "delete_selected", "_selected_action": [row.pk]}
    confirm = owner_client.post(url(model, "changelist"), form)
    assert confirm.status_code == 200
    assert "admin/delete_selected_confirmation.html" in [t.name for t in confirm.templates]
    assert model.objects.filter(pk=row.pk).exists()
    done = owner_client.post(url(model, "changelist"), {**form, "post": "yes"})
    assert done.status_code == 302
    assert not model.objects.filter(pk=row.pk).exists()


# --- custom pages: each admin's get_urls() additions and the site's own -------------------------------------------

def _custom_model_urls():
    found = []
    for model, model_admin in REGISTERED:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            name = pattern.name
            if name and not any(name == prefix + suffix for suffix in STANDARD_SUFFIXES):
                found.append(name)
    return found


def _custom_site_urls():
    names = set()
    for pattern in admin.site.get_urls():
        name = getattr(pattern, "name", None)
        if name and name not in STANDARD_SITE_URLS and not any(name.endswith("_" + s) for s in STANDARD_SUFFIXES):
            names.add(name)
    return names


def _health_action(action: str):
    def check(client, shop):
        from recommender.models import EvaluationRun

        runs = EvaluationRun.objects.count()
        response = client.post(reverse("admin:recommender-health-action", args=[action]), follow=True)
        assert response.status_code == 200 and response.redirect_chain[-1][1] == 302
        text = response.content.decode()
        assert "queued" in text or "unreachable" in text
        if action == "evaluate":
            assert EvaluationRun.objects.count() == runs + 1
    return check


def _get_ok(name: str, args: Callable = lambda shop: ()):
    def check(client, shop):
        response = client.get(reverse(f"admin:{name}", args=args(shop)))
        assert response.status_code == 200, name
    return check


def _experiment_change(action: str):
    """Start the shop's draft experiment (starting it first through the service to check the stop button)."""
    def check(client, shop):
        from recommender.experiments.services import experiment_start
        from recommender.models import Experiment

        experiment = Experiment.objects.get(status="draft")
        if action == "stop":
            experiment_start(experiment=experiment)
        response = client.post(reverse(f"admin:recommender_experiment_{action}", args=[experiment.pk]), follow=True)
        assert response.status_code == 200 and response.redirect_chain[-1][1] == 302
        experiment.refresh_from_db()
        assert experiment.status == ("running" if action == "start" else "stopped")
    return check


CUSTOM_URLS: dict[str, list[Callable]] = {
    "auth_user_password_change": [_get_ok("auth_user_password_change", lambda shop: [shop.shoppers[0].pk])],
    "recommender-health": [_get_ok("recommender-health")],
    "recommender-health-status": [_get_ok("recommender-health-status")],
    "recommender-health-action": [_health_action(a) for a in ("rebuild", "reembed", "evaluate")],
    "recommender_experiment_start": [_experiment_change("start")],
    "recommender_experiment_stop": [_experiment_change("stop")],
}


def test_every_custom_admin_url_has_a_check():
    found = set(_custom_model_urls()) | _custom_site_urls()
    assert found, "no custom admin URL found: the discovery is broken"
    assert not found - set(CUSTOM_URLS), f"custom admin URLs with no check: {sorted(found - set(CUSTOM_URLS))}"
    assert not set(CUSTOM_URLS) - found, f"checks of URLs that are gone: {sorted(set(CUSTOM_URLS) - found)}"


@pytest.mark.parametrize("name", sorted(CUSTOM_URLS))
def test_every_custom_admin_page_answers(owner_client, shop, name):
    for check in CUSTOM_URLS[name]:
        check(owner_client, shop)


def test_an_unknown_health_action_is_refused_with_a_message(owner_client):
    response = owner_client.post(reverse("admin:recommender-health-action", args=["format-disk"]), follow=True)
    assert response.status_code == 200
    assert "Unknown action" in response.content.decode()
