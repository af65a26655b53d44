"""The recommender's fail-open cache (recommender.cache) on the real Redis, and on a port nothing listens on."""

import logging
import socket
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache as django_cache

from recommender import cache
from shop.settings.base import cache_url


@pytest.fixture
def redis_stopped(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}/0"}}


def key() -> str:
    return f"recommender:test:{uuid.uuid4().hex}"


def test_with_redis_stopped_every_call_answers_as_a_miss_and_says_so_in_the_log(redis_stopped, caplog):
    name = key()
    with caplog.at_level(logging.WARNING, logger="recommender.cache"):
        assert cache.get(name, 0) == 0
        assert cache.get(name, 0, down=cache.UNAVAILABLE) is cache.UNAVAILABLE
        assert cache.get_many([name]) is None
        assert cache.set(name, 1, 60) is False
        assert cache.set_many({name: 1}, 60) is False
        assert cache.add(name, 1, 60) is None
        assert cache.delete(name) is False
        assert cache.incr(name, timeout=60) is None
    assert caplog.text.count("cache unavailable") == 8


def test_with_redis_stopped_the_strict_cache_still_raises(redis_stopped):
    with pytest.raises(Exception):
        cache.strict.get(key())


def test_incr_counts_from_one_and_keeps_the_key_for_the_timeout_from_each_count():
    name = key()
    assert [cache.incr(name, timeout=100), cache.incr(name, timeout=100)] == [1, 2]
    client = redis.Redis.from_url(cache_url(django_settings.REDIS_URL))
    assert 90 < client.ttl(django_cache.make_key(name)) <= 100
    django_cache.delete(name)


def test_a_miss_and_a_hit_read_as_django_answers_them():
    name = key()
    assert cache.get(name, "absent", down="down") == "absent"
    assert cache.set(name, {"a": 1}, 60) and cache.get(name) == {"a": 1}
    assert cache.add(name, 2, 60) is False and cache.get_many([name, key()]) == {name: {"a": 1}}
    assert cache.delete(name) and cache.get(name) is None


def test_key_formats_stay_what_a_running_shop_already_wrote():
    assert cache.feed_key(placement="home", who="u7", version=3, anchors=[]) == "recommender:feed:home:u7:3:"
    assert cache.feed_key(placement="product", who="-", version=0, anchors=[4, 5]) == "recommender:feed:product:-:0:4,5"
    assert cache.shopper_version_key("sabc") == "recommender:shopper-version:sabc"
    assert cache.card_key(9) == "recommender:card:9"
    assert (cache.SERVING_ENCODER, cache.TUNED_WEIGHTS, cache.CATALOGUE_VERSION) == (
        "recommender:serving-encoder", "recommender:tuned-weights", "recommender:catalogue-version")
