"""Fixtures the experiment pages' and API's tests share: a fresh cache (running experiments and pins are cached) and
a signed-in superuser."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture
def fresh_cache():
    cache.clear()


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client
