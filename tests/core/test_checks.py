"""The pgvector version check: the embedded server passes; an older or missing pgvector is named."""

import pytest
from django.core import checks

from shop.core.checks import pgvector_problems, pgvector_version_check


@pytest.mark.django_db
def test_the_embedded_server_has_pgvector_0_8_or_newer():
    assert pgvector_version_check(databases=["default"]) == []


def test_an_older_pgvector_is_an_error_naming_the_version_found():
    [error] = pgvector_problems("0.6.2")
    assert error.level == checks.ERROR and "0.6.2" in error.msg and "0.8" in error.msg


def test_a_server_without_pgvector_is_an_error():
    [error] = pgvector_problems(None)
    assert "no pgvector" in error.msg


def test_newer_versions_pass():
    assert pgvector_problems("0.8.0") == [] and pgvector_problems("0.10.1") == []
