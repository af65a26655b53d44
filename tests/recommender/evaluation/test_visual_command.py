"""evaluate --visual on a small synthetic catalogue in the real database (no ../shared)."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from recommender.models import ProductEmbedding
from tests.factories import CategoryFactory, ProductFactory
from tests.helpers.synthetic import synthetic

pytestmark = pytest.mark.django_db
TOY = "toy48"


@pytest.fixture
def catalogue():
    """6 categories x 30 products whose 48-d vectors hide the category under a stronger nuisance.

    Stored under a toy encoder: lite0's HNSW index wants 1280 dims, and without images the encoder with the most
    product vectors is the one serving, so `evaluate` reads these.
    """
    cache.delete("recommender:serving-encoder")
    vectors, labels = synthetic(categories=6, per_category=30)
    categories = [CategoryFactory() for _ in range(6)]
    for vector, label in zip(vectors, labels):
        product = ProductFactory(category=categories[label])
        ProductEmbedding.objects.create(product=product, encoder=TOY, vector=vector)
    yield
    cache.delete("recommender:serving-encoder")


def last_json_line(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_evaluate_visual_measures_same_category_p_at_10_over_the_whole_catalogue(catalogue, capsys):
    call_command("evaluate", visual=True, json=True)
    result = last_json_line(capsys)
    assert result["p_at_10"] == result["p_at_10_raw"] and result["products"] == 180
    assert 0 < result["p_at_10"] < 1
