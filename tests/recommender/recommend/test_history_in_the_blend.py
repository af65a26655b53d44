"""A blend that the shop's tuning gave a history weight brings back what a shopper viewed in an earlier visit and
did not buy, with no learned ranker serving; the default blend (history off) does not fetch it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recommender.interactions.services import interaction_record
from recommender.ranking import Source
from recommender.recommend.service import recommend_inputs
from recommender.recommend.weights import tuned_weights_forget, tuned_weights_save
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.feeds import liked_and_lookalikes

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper_who_viewed_a_coat_last_week():
    shopper = UserFactory()
    liked_and_lookalikes(shopper)
    coat = product_with_sizes(name="Viewed coat", image=False)
    interaction_record(kind="view", product_id=coat.pk, user_id=shopper.pk, at=timezone.now() - timedelta(days=6))
    tuned_weights_forget()
    yield shopper, coat
    tuned_weights_forget()


def test_a_tuned_history_weight_brings_back_the_viewed_item_with_its_reason(shopper_who_viewed_a_coat_last_week):
    shopper, coat = shopper_who_viewed_a_coat_last_week
    tuned_weights_save(weights={"history": 8.0}, notes="test")

    inputs = recommend_inputs(placement="home", user=shopper, k=4)
    ranked = inputs.ranked()

    assert ranked[0].product_id == coat.pk
    assert ranked[0].source == Source.HISTORY and ranked[0].reason.startswith("You viewed this")


def test_the_default_blend_does_not_fetch_the_history_source(shopper_who_viewed_a_coat_last_week):
    shopper, coat = shopper_who_viewed_a_coat_last_week

    inputs = recommend_inputs(placement="home", user=shopper, k=4)

    assert not any(e.source == Source.HISTORY for c in inputs.candidates for e in c.evidence)
    assert coat.pk not in [item.product_id for item in inputs.ranked()]
