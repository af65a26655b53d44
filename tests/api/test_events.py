"""POST /api/events/: its body cap, its CSRF rule for sessions (guests included) and its rate, on real Redis.

The rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["events"]: 60 a minute per client by default, counted in
the default cache (the embedded Redis here, as in `make run`), so every web process shares the count.
"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from recommender.api.events import MAX_BODY_BYTES
from recommender.models import Interaction
from tests.factories import UserFactory, product_with_sizes

pytestmark = pytest.mark.django_db
URL = "/api/events/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # throttle histories live in Redis, shared with every other test


@pytest.fixture
def product():
    return product_with_sizes(image=False)


def view(client, product, **extra):
    return client.post(URL, {"kind": "view", "product": product.pk}, content_type="application/json", **extra)


def test_the_default_event_rate_is_sixty_a_minute_per_client():
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["events"] == "60/min"


def test_the_sixty_first_event_in_a_minute_gets_429_with_retry_after(client, product):
    statuses = [view(client, product).status_code for _ in range(61)]
    assert statuses[:60] == [202] * 60 and statuses[60] == 429
    refused = view(client, product)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_the_rate_is_counted_in_redis_per_client_address(client, settings, product):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "2/min"}}
    assert [view(client, product, REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)] == [202, 202, 429]
    assert view(client, product, REMOTE_ADDR="10.0.0.2").status_code == 202  # another client
    assert cache.get("throttle_events_10.0.0.1") is not None  # the history is in the shared cache


def test_a_new_x_forwarded_for_on_each_request_does_not_escape_the_rate(client, settings, product):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "2/min"}}
    statuses = [view(client, product, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [202, 202, 429]


def test_a_signed_in_shopper_is_counted_as_themselves_not_their_address(settings, product):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "1/min"}}
    first, second = Client(), Client()
    first.force_login(UserFactory())
    second.force_login(UserFactory())
    assert view(first, product).status_code == 202 and view(second, product).status_code == 202
    assert view(first, product).status_code == 429


def test_a_body_over_four_kib_is_a_413_that_states_the_cap(client, product):
    padding = "x" * MAX_BODY_BYTES
    response = client.post(URL, f'{{"kind": "view", "product": {product.pk}, "p": "{padding}"}}',
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large (at most 4,096 bytes).", "code": "too_large"}


def test_a_three_mb_form_body_is_a_413_too(client, product):
    body = f"kind=view&product={product.pk}&p=" + "x" * 3_000_000
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not Interaction.objects.exists()


def test_a_multipart_event_is_a_415():
    response = Client().post(URL, {"kind": "view", "product": 1})  # the test client's default is multipart
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


class TestCsrf:
    """Another site can make a shopper's browser post with their cookies, never with their CSRF token."""

    @pytest.fixture
    def browser(self):
        return Client(enforce_csrf_checks=True)

    def test_a_guest_post_with_the_session_cookie_and_no_token_is_refused(self, browser, product):
        browser.get(product.get_absolute_url())  # the shop gives the guest a session and a CSRF cookie
        browser.cookies[django_settings.SESSION_COOKIE_NAME] = "a-guest-session"
        response = view(browser, product)
        assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
        assert not Interaction.objects.filter(kind="view", product=product, session_key="a-guest-session").exists()

    def test_a_guest_post_with_the_session_cookie_and_the_token_is_accepted(self, browser, product):
        browser.get(product.get_absolute_url())
        browser.cookies[django_settings.SESSION_COOKIE_NAME] = "a-guest-session"
        token = browser.cookies[django_settings.CSRF_COOKIE_NAME].value
        assert view(browser, product, HTTP_X_CSRFTOKEN=token).status_code == 202

    def test_a_signed_in_post_without_the_token_is_refused(self, browser, product):
        browser.force_login(UserFactory())
        assert view(browser, product).status_code == 403

    def test_a_client_without_cookies_needs_no_token(self, browser, product):
        # It acts for no existing shopper: the event starts a new guest session of its own.
        response = view(browser, product)
        assert response.status_code == 202 and django_settings.SESSION_COOKIE_NAME in response.cookies
