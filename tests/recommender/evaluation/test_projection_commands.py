"""learn_projection and evaluate --visual on a small synthetic catalogue in the real database (no ../shared)."""

import json

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from recommender.vectors.projection_store import projection_current
from recommender.models import ProductEmbedding, VisualProjection
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


def test_learn_projection_reports_held_out_p_at_10_and_stores_a_projection_fitted_on_every_product(
        catalogue, capsys):
    call_command("learn_projection", json=True, encoder=TOY)
    held = last_json_line(capsys)

    assert held["train_products"] + held["held_out_products"] == 180
    assert held["p_at_10"] > held["p_at_10_raw"] + 0.2
    row = VisualProjection.objects.get()
    assert (row.encoder, row.products, row.categories, row.output_dim, row.input_dim) == (TOY, 180, 6, 5, 48)
    assert row.held_out["p_at_10"] == held["p_at_10"] and "sha256(slug)" in row.split
    _, projection = projection_current(encoder=TOY)
    assert projection.apply(np.ones((2, 48), np.float32)).shape == (2, 5)


def test_evaluate_visual_measures_raw_and_projected_vectors_on_the_same_held_out_products(catalogue, capsys):
    call_command("evaluate", visual=True, json=True)
    before = last_json_line(capsys)
    assert before["p_at_10"] == before["p_at_10_raw"] and before["products"] == 180

    call_command("learn_projection", json=True, encoder=TOY)
    held = last_json_line(capsys)
    call_command("evaluate", visual=True, json=True)
    after = last_json_line(capsys)

    assert list(after)[:2] == ["products", "p_at_10"]
    assert after["products"] == held["products"] < 180
    assert (after["p_at_10"], after["p_at_10_raw"]) == (held["p_at_10"], held["p_at_10_raw"])
    assert after["p_at_10_raw_all"] == before["p_at_10"]


def test_learn_projection_refuses_a_catalogue_without_vectors(db):
    with pytest.raises(CommandError, match="too few"):
        call_command("learn_projection")
