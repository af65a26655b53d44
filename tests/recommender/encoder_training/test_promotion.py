"""Promotion rules and rollback of trained encoder versions, through the services and the health page."""

import numpy as np
import pytest

from recommender.conf import recommender_setting
from recommender.encoder_training.versions import (
    PromotionRefused,
    promotion_decision,
    version_promote,
    version_rollback,
)
from recommender.models import EncoderStatus, EncoderVersion
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.encoder_training import forget_serving_caches, with_vectors

pytestmark = pytest.mark.django_db

SERVING = {"p_at_10": 0.736, "own_photo_first": 0.99, "colour_agreement": 0.26, "shopper_hit_at_10": 0.6}
BETTER = {"p_at_10": 0.81, "own_photo_first": 0.99, "colour_agreement": 0.25, "shopper_hit_at_10": 0.62}


@pytest.fixture(autouse=True)
def _toy_encoders(settings):
    settings.RECOMMENDER = {"ENCODER": "toy8", "COMPACT_DIMS": 0}
    forget_serving_caches()
    yield
    forget_serving_caches()


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _version(name: str, figures: dict, **fields) -> EncoderVersion:
    return EncoderVersion.objects.create(name=name, figures=figures, baseline_figures=SERVING,
                                         baseline_encoder="toy8", **fields)


@pytest.mark.parametrize("change, rule", [
    ({"p_at_10": 0.736}, "P@10"),
    ({"own_photo_first": 0.97}, "own photo first"),
    ({"colour_agreement": 0.235}, "colour agreement"),
    ({"shopper_hit_at_10": 0.59}, "shopper-photo hit@10"),
])
def test_each_rule_alone_refuses_a_version_that_breaks_it(change, rule):
    promote, reason = promotion_decision({**BETTER, **change}, SERVING)
    assert not promote and rule in reason


def test_a_version_that_wins_on_every_rule_is_promoted():
    assert promotion_decision(BETTER, SERVING)[0]


def test_promotion_refuses_a_worse_version_and_the_serving_encoder_stays(staff_client):
    worse = _version("toy8-shop-1", {**BETTER, "p_at_10": 0.70})

    with pytest.raises(PromotionRefused, match="P@10"):
        version_promote(worse.pk)
    response = staff_client.post(f"/admin/recommender/health/encoders/{worse.pk}/promote/", follow=True)

    assert response.status_code == 200
    assert "does not beat the serving" in response.content.decode()
    worse.refresh_from_db()
    assert worse.status == EncoderStatus.CANDIDATE
    assert recommender_setting("ENCODER") == "toy8"


def test_a_rollback_serves_the_old_vectors_at_once(staff_client):
    rng = np.random.default_rng(3)
    a, b, c = (rng.standard_normal(8).astype(np.float32) for _ in range(3))
    anchor = with_vectors(product_with_sizes(), {"toy8": a, "toy8-shop-1": a})
    old_twin = with_vectors(product_with_sizes(), {"toy8": a + 0.01, "toy8-shop-1": b})
    new_twin = with_vectors(product_with_sizes(), {"toy8": c, "toy8-shop-1": a + 0.01})
    version = _version("toy8-shop-1", BETTER)
    version_promote(version.pk)

    def nearest() -> int:
        response = staff_client.get(f"/api/products/{anchor.pk}/similar/", {"k": 1})
        assert response.status_code == 200
        return response.json()[0]["product"]["id"]

    assert recommender_setting("ENCODER") == "toy8-shop-1"
    assert nearest() == new_twin.pk  # the new version covers the catalogue, so it answers

    response = staff_client.post("/admin/recommender/health/encoders/rollback/", follow=True)

    assert "Rolled back: toy8 serves again" in response.content.decode()
    assert nearest() == old_twin.pk  # the very next request, no re-embedding in between
    version.refresh_from_db()
    assert version.status == EncoderStatus.ROLLED_BACK
    with pytest.raises(PromotionRefused):
        version_rollback()


def test_the_health_page_shows_both_encoders_figures_and_the_buttons(staff_client):
    _version("toy8-shop-1", BETTER, reason="Promoted: beats the serving encoder.")

    page = staff_client.get("/admin/recommender/health/").content.decode()

    assert 'data-testid="encoder-toy8-shop-1"' in page
    assert "0.736" in page and "0.81" in page
    assert "Promote toy8-shop-1" in page and "Train a new encoder" in page
