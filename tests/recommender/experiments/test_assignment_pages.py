"""A shopper's arm through real requests: sticky across pages, kept at sign-in, and gone the moment the
experiment stops. Real PostgreSQL and Redis; the impression buffer is drained by the flush service."""

import pytest
from django.core.cache import cache

from recommender.experiments.assignment import arm_of
from recommender.experiments.services import experiment_stop
from recommender.models import Impression
from tests.factories import UserFactory
from tests.helpers.experiments import PASSWORD, card_links, flushed, started, trending_shop

pytestmark = pytest.mark.django_db(transaction=True)

TWO_ARMS = [{"name": "control", "share": 50, "is_control": True},
            {"name": "popular", "share": 50, "control": "popularity"}]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _arms_seen(**who) -> set[str]:
    flushed()
    return set(Impression.objects.filter(**who).values_list("arm", flat=True))


def test_a_guest_keeps_one_arm_on_every_page_and_request(client):
    products = trending_shop()
    experiment = started(arms=TWO_ARMS)
    for _ in range(3):
        assert client.get("/").status_code == 200
    client.get(products[0].get_absolute_url())
    key = client.session.session_key
    expected = arm_of(experiment_id=experiment.pk, shopper=f"s{key}", arms=[("control", 50), ("popular", 50)])
    assert _arms_seen(session_key=key) == {expected}
    assert Impression.objects.filter(session_key=key, experiment_id=experiment.pk).count() >= 3


def test_a_guest_who_signs_in_keeps_the_arm_they_had(client):
    trending_shop()
    experiment = started(arms=TWO_ARMS)
    client.get("/")
    guest = client.session.session_key
    guest_arm = _arms_seen(session_key=guest).pop()
    shares = [("control", 50), ("popular", 50)]
    # An account whose own hash would put it in the other arm: only the pin can keep the guest's.
    user = next(u for u in iter(lambda: UserFactory(password=PASSWORD), None)
                if arm_of(experiment_id=experiment.pk, shopper=f"u{u.pk}", arms=shares) != guest_arm)
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    for _ in range(2):
        client.get("/")
    assert _arms_seen(user_id=user.pk) == {guest_arm}
    # The guest's impressions followed them into the account.
    assert not Impression.objects.filter(session_key=guest, user_id__isnull=True).exists()


def test_stopping_an_experiment_returns_everyone_to_the_default_at_once(client):
    trending_shop()
    experiment = started(arms=[{"name": "dark", "share": 50, "control": "no_rail"},
                               {"name": "dark2", "share": 50, "control": "no_rail"}])
    page = client.get("/").content.decode()
    assert 'class="rail"' not in page
    assert client.get("/api/recommendations/").json() == []
    experiment_stop(experiment=experiment)
    page = client.get("/").content.decode()
    assert 'class="rail"' in page and card_links(page)
    assert client.get("/api/recommendations/").json() != []
    flushed()
    latest = Impression.objects.order_by("-id").first()
    assert latest.experiment_id is None and latest.arm == ""


def test_a_failing_arm_serves_the_default_for_that_request_and_records_the_failure(client):
    from recommender.experiments.serving import arm_failures
    from recommender.models import RankerVersion

    trending_shop()
    broken = RankerVersion.objects.create(status="shadow", ranker="not a lightgbm model")
    experiment = started(arms=[{"name": name, "share": 50, "ranker": "learned", "ranker_version": broken.pk}
                               for name in ("broken", "broken2")])
    page = client.get("/").content.decode()
    assert card_links(page)  # the default's rail
    flushed()
    assert Impression.objects.get().arm == ""  # recorded as what the shopper saw
    assert arm_failures(experiment_id=experiment.pk, arm="broken") + arm_failures(
        experiment_id=experiment.pk, arm="broken2") >= 1
