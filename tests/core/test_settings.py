import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import REPO

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "shop.settings.production",
    "DJANGO_SECRET_KEY": "x" * 60 + "-production-key-for-the-check-only",
    "DATABASE_URL": "postgres://vitrine@db.invalid:5432/vitrine",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env={**clean, **env}, capture_output=True, text=True,
        timeout=120,
    )


def test_production_settings_stop_with_one_line_naming_every_missing_variable():
    result = _manage("check", env={"DJANGO_SETTINGS_MODULE": "shop.settings.production", "DJANGO_SECRET_KEY": "k"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "Vitrine production settings: missing environment variable(s): "
        "DATABASE_URL, REDIS_URL, DJANGO_ALLOWED_HOSTS"
    ]


def test_production_settings_pass_the_deploy_check_when_the_environment_is_complete():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_a_socket_directory_in_database_url_reaches_libpq_decoded():
    from shop.settings.base import database_settings

    config = database_settings("postgres://postgres@%2Fvar%2Frun%2Fpostgresql:5432/shop")
    assert config["HOST"] == "/var/run/postgresql"
    assert config["NAME"] == "shop"
    assert config["CONN_HEALTH_CHECKS"] is True


def test_embedded_redis_listens_on_loopback_away_from_the_system_port():
    import redis

    assert settings.CELERY_BROKER_URL.startswith("redis://127.0.0.1:")
    assert ":6379/" not in settings.CELERY_BROKER_URL
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).ping() is True


@pytest.mark.django_db
def test_tests_run_on_their_own_database():
    assert connection.settings_dict["NAME"].startswith("test_")


@pytest.mark.django_db
def test_the_vector_extension_is_installed_by_migration_and_answers_a_cosine_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        (version,) = cursor.fetchone()
        cursor.execute("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector, '[1,2]'::vector <=> '[2,4]'::vector")
        orthogonal, parallel = cursor.fetchone()
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    assert tuple(int(p) for p in version.split(".")[:2]) >= (0, 6)
    assert orthogonal == pytest.approx(1.0)
    assert parallel == pytest.approx(0.0, abs=1e-6)
    assert server.startswith("16")


def test_clearing_the_cache_never_drops_queued_tasks(settings):
    import redis
    from django.core.cache import cache

    from shop.settings.base import cache_url

    assert settings.CACHES["default"]["LOCATION"] == cache_url(settings.CELERY_BROKER_URL) != settings.CELERY_BROKER_URL
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.rpush("vitrine-test-queue", "a task")
    try:
        cache.set("something", 1)
        cache.clear()
        assert cache.get("something") is None
        assert broker.lrange("vitrine-test-queue", 0, -1) == [b"a task"]
    finally:
        broker.delete("vitrine-test-queue")


def test_the_cache_takes_the_database_after_the_brokers():
    from shop.settings.base import cache_url

    assert cache_url("redis://h:6379/0") == "redis://h:6379/1"
    assert cache_url("redis://:secret@h:6379/15") == "redis://:secret@h:6379/0"
    assert cache_url("redis://h:6379") == "redis://h:6379/1"
