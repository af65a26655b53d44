"""The temporal split: what is held out, and that the recommender never sees it during an evaluation."""

from datetime import datetime, timedelta, timezone

import pytest

from recommender.evaluation import runner
from recommender.evaluation.split import shopper_cut
from recommender.interactions.services import interaction_record
from recommender.models import Interaction, ItemNeighbour, NeighbourKind
from tests.factories import UserFactory, product_with_sizes

T0 = datetime(2025, 3, 1, 10, tzinfo=timezone.utc)
GAP = timedelta(minutes=30)


def at(hours, minutes=0):
    return T0 + timedelta(hours=hours, minutes=minutes)


def test_the_last_buying_session_is_held_out():
    events = [(at(0), "view", 1), (at(0, 2), "cart", 1), (at(5), "view", 2), (at(5, 1), "cart", 3),
              (at(5, 3), "purchase", 3), (at(9), "view", 4)]  # the last session has no cart: still visible
    cut, targets = shopper_cut(events, gap=GAP)
    assert cut == at(5)
    assert targets == {3}


def test_a_shopper_whose_only_buying_session_is_the_first_is_left_out():
    assert shopper_cut([(at(0), "view", 1), (at(0, 1), "purchase", 1)], gap=GAP) is None


def test_items_bought_before_the_cut_are_not_targets():
    events = [(at(0), "purchase", 1), (at(5), "cart", 1)]
    assert shopper_cut(events, gap=GAP) is None


@pytest.mark.django_db
def test_held_out_interactions_are_hidden_from_signals_and_profiles_then_restored():
    shirt, trousers, hat, scarf = (product_with_sizes() for _ in range(4))
    for n in range(3):
        user = UserFactory()
        # an old basket: shirt + trousers; the held-out basket: hat + scarf
        for product in (shirt, trousers):
            interaction_record(kind="cart", product_id=product.pk, user_id=user.pk, at=at(n))
        for product in (hat, scarf):
            interaction_record(kind="purchase", product_id=product.pk, user_id=user.pk, at=at(48 + n))
    before = Interaction.objects.count()
    with runner.prepared(k=5) as ready:
        assert set(ready.split.targets.values().__iter__().__next__()) == {hat.pk, scarf.pk}
        pairs = set(ItemNeighbour.objects.filter(kind=NeighbourKind.CO_BOUGHT).values_list("product_id", "neighbour_id"))
        assert (shirt.pk, trousers.pk) in pairs
        assert not {(hat.pk, scarf.pk), (scarf.pk, hat.pk)} & pairs
        assert not Interaction.objects.filter(product_id__in=[hat.pk, scarf.pk]).exists()
        for inputs in ready.inputs.values():
            assert not inputs.shopper.bought_ids & {hat.pk, scarf.pk}
    assert Interaction.objects.count() == before
