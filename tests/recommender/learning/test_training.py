"""Training, promotion and serving of the learned ranker on a tiny shop (real PostgreSQL and Redis)."""

import numpy as np
import pytest
from django.core.cache import cache

from recommender.learning.selectors import ranker_state
from recommender.recommend.ranker import served_models
from recommender.learning.training import ranker_train
from recommender.models import RankerStatus, RankerVersion
from recommender.ranking import Source
from recommender.behaviour.services import signals_rebuild
from recommender.recommend.service import recommend, recommend_inputs, recommendation_weights
from tests.helpers.ranker_world import coloured_product, colour_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def blue_share(ranked, world, k=5):
    blue = {p.pk for p in world.blue}
    top = [r.product_id for r in ranked[:k]]
    return sum(1 for pid in top if pid in blue) / len(top)


def test_a_planted_preference_is_learned_shoppers_who_buy_only_blue_see_blue_first():
    world = colour_world(looks_like_colour=False)
    version = ranker_train(seed=7, min_shoppers=10, train_cuts=1)
    assert version.status == RankerStatus.SERVING, version.reason
    assert served_models().version_id == version.pk
    assert served_models() is served_models()  # loaded once per process
    signals_rebuild()
    learned = [recommend(placement="home", user=user, k=5) for user in world.users[:10]]
    blend = [recommend_inputs(placement="home", user=user, k=5).ranked(recommendation_weights())
             for user in world.users[:10]]
    learned_share = sum(blue_share(r, world) for r in learned) / 10
    blend_share = sum(blue_share(r, world) for r in blend) / 10
    assert learned_share >= 0.8 and learned_share > blend_share
    figures = version.figures
    assert figures["candidate"]["ndcg"] > figures["blend"]["ndcg"]
    assert figures["importance"] and figures["period"]["from"] <= figures["period"]["to"]


def test_a_model_that_scores_worse_on_the_later_period_is_not_promoted():
    colour_world()
    good = ranker_train(seed=7, min_shoppers=10, train_cuts=1)
    # No split at all: every candidate scores the same, so the order is the tie-break's.
    worse = ranker_train(seed=7, min_shoppers=10, train_cuts=1, params={"n_estimators": 1, "min_child_samples": 1_000_000})
    assert worse.status == RankerStatus.SHADOW
    assert worse.figures["candidate"]["ndcg"] <= worse.figures["serving"]["ndcg"]
    assert RankerVersion.objects.get(status=RankerStatus.SERVING) == good
    state = ranker_state()
    assert state["serving"]["id"] == good.pk and state["shadow"][0]["id"] == worse.pk


def test_a_new_shop_falls_back_to_the_blend_and_says_why():
    world = colour_world(shoppers=4)
    version = ranker_train(seed=7, train_cuts=1)
    assert version.status == RankerStatus.SKIPPED and "too little history" in version.reason
    assert served_models() is None
    assert recommend_inputs(placement="home", user=world.users[0]).ranker is None
    state = ranker_state()
    assert state["serving"] is None and "too little history" in state["reason"]


def test_a_new_product_with_no_interactions_reaches_feeds_through_its_vectors():
    world = colour_world()
    new = coloured_product("Blue", 99, category=world.blue[0].category, rng=np.random.default_rng(9))
    version = ranker_train(seed=7, min_shoppers=10, train_cuts=1)
    assert version.status == RankerStatus.SERVING
    inputs = recommend_inputs(placement="home", user=world.users[1], k=20)
    reached = {e.source for c in inputs.candidates if c.product_id == new.pk for e in c.evidence}
    assert Source.COLLAB in reached
    assert new.pk in [r.product_id for r in inputs.ranked()]


def test_the_blend_feature_is_tuned_on_the_validation_period_and_serves_with_its_version(settings):
    world = colour_world(looks_like_colour=False)
    version = ranker_train(seed=7, min_shoppers=10, train_cuts=1)
    blend = version.params["blend_weights"]
    assert blend == version.figures["feature_blend"]
    assert set(recommendation_weights()) <= set(blend)  # searched from the weights the shop serves
    assert served_models().blend_weights == blend
    # Staff change the shop's blend afterwards: the ranker's features keep the blend it was trained with.
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "WEIGHTS": {"trending": 1.0}}
    inputs = recommend_inputs(placement="home", user=world.users[0], k=5)
    assert inputs.context.blend_weights == blend != recommendation_weights()
