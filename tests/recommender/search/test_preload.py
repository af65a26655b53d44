"""The search models are built when a web server starts, and never by management commands, Celery or
tests: which processes preload (pure), and what the preload does (fakes for the two models)."""

import logging
import threading

import pytest

from recommender.search import preload


def in_own_thread(target):
    """As the server runs it: on a thread of its own, whose database connection it closes at the end."""
    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)


@pytest.mark.parametrize(
    ("argv", "environ", "serves"),
    [
        (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, True),  # the autoreloader's child
        (["manage.py", "runserver", "--noreload"], {}, True),
        (["/srv/.venv/bin/gunicorn", "shop.wsgi", "-w", "4"], {}, True),
        (["/srv/.venv/lib/python3.11/site-packages/gunicorn/__main__.py", "shop.wsgi"], {}, True),
        (["uvicorn", "shop.asgi:application"], {}, True),
        (["manage.py", "runserver"], {}, False),  # the autoreloader itself only watches files
        (["manage.py", "migrate"], {}, False),
        (["manage.py", "embed", "--missing", "--sync"], {"RUN_MAIN": "true"}, False),
        (["manage.py", "shell"], {}, False),
        (["/srv/.venv/bin/celery", "-A", "shop", "worker"], {}, False),
        (["/srv/.venv/bin/pytest", "tests/"], {}, False),
        ([], {}, False),
    ],
)
def test_only_web_servers_preload_the_search_models(argv, environ, serves):
    assert preload.serves_web(argv, environ) is serves


def test_a_management_command_starts_no_preload_thread(monkeypatch):
    monkeypatch.setattr(preload, "_start", lambda: pytest.fail("must not preload"))
    assert preload.preload_if_serving(["manage.py", "migrate"], {}) is False


def test_the_test_run_itself_never_preloaded():
    assert "search-models-preload" not in [thread.name for thread in threading.enumerate()]


def test_gunicorn_with_preload_builds_the_models_in_each_worker_after_the_fork(monkeypatch):
    registered = []
    monkeypatch.setattr(preload.os, "register_at_fork", lambda **hooks: registered.append(hooks))
    monkeypatch.setattr(preload, "_start", lambda: pytest.fail("not in the master"))
    assert preload.preload_if_serving(["gunicorn", "--preload", "shop.wsgi"], {}) is True
    assert [list(hooks) for hooks in registered] == [["after_in_child"]]


@pytest.mark.django_db
def test_warming_runs_a_photo_and_a_query_through_the_serving_models(monkeypatch, caplog):
    calls = []

    class FakeTextEncoder:
        def embed(self, texts):
            calls.append(("text", list(texts)))

    monkeypatch.setattr(preload, "photo_vectors", lambda data, *, encoder: calls.append(("photo", encoder)))
    monkeypatch.setattr(preload, "get_text_encoder", lambda model: FakeTextEncoder())
    with caplog.at_level(logging.INFO, logger="recommender.search.preload"):
        in_own_thread(preload.search_models_warm)
    assert [kind for kind, _ in calls] == ["photo", "text"]
    assert "search models ready" in caplog.text


@pytest.mark.django_db
def test_a_failing_preload_is_logged_and_never_raises(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("weights missing")

    monkeypatch.setattr(preload, "photo_vectors", broken)
    with caplog.at_level(logging.WARNING, logger="recommender.search.preload"):
        in_own_thread(preload.search_models_warm)
    assert "preloading the search models failed" in caplog.text
