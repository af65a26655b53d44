"""Login throttling: five failures per (IP, username) in 15 minutes, then 429 with a clear message,
even for the right password; other usernames and addresses are unaffected; a down cache fails open."""

import socket

import pytest
from django.test import Client

from tests.factories import UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _private_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "login-throttle-tests"}}
    from django.core.cache import cache
    cache.clear()


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_the_sixth_failed_login_is_refused_with_429_and_a_clear_message_even_with_the_right_password():
    UserFactory(username="ada")
    client = Client()
    statuses = [login(client, "ada", f"guess {n}").status_code for n in range(5)]
    assert statuses == [200] * 5
    blocked = login(client, "ada", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed attempts to log in. Please wait 15 minutes" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_block_is_per_username_and_per_address():
    UserFactory(username="ada")
    UserFactory(username="bob")
    for n in range(5):
        login(Client(), "ada", f"guess {n}")
    assert login(Client(), "ADA ", PASSWORD).status_code == 429  # the same name however it is typed
    assert login(Client(), "bob", PASSWORD).status_code == 302
    assert login(Client(), "ada", PASSWORD, ip="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_a_successful_login_clears_the_count():
    UserFactory(username="ada")
    for n in range(4):
        login(Client(), "ada", f"guess {n}")
    assert login(Client(), "ada", PASSWORD).status_code == 302
    for n in range(4):
        assert login(Client(), "ada", f"guess again {n}").status_code == 200
    assert login(Client(), "ada", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_window_comes_from_settings(settings):
    settings.SHOP_LOGIN_FAILURE_LIMIT = 2
    settings.SHOP_LOGIN_FAILURE_WINDOW = 120
    UserFactory(username="ada")
    login(Client(), "ada", "x")
    login(Client(), "ada", "y")
    blocked = login(Client(), "ada", PASSWORD)
    assert blocked.status_code == 429 and "Please wait 2 minutes" in blocked.content.decode()


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_a_down_cache_lets_logins_through_and_logs_it(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{dead_port()}/0"}}
    UserFactory(username="ada")
    for n in range(6):
        assert login(Client(), "ada", f"guess {n}").status_code == 200
    assert login(Client(), "ada", PASSWORD).status_code == 302
    assert "login throttle: cache unavailable" in caplog.text
