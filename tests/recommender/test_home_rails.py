"""The home feed on the page: one ranking shown as "For you" (new to the shopper) and "Pick up where you left off"
(what the feed brings back because they viewed it before), so the viewed-before evidence cannot fill every card."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from recommender.interactions.services import interaction_record
from recommender.ranking import Source
from recommender.ranking.explain import Ranked
from recommender.rails import RAIL_SIZE, home_rails
from recommender.recommend.weights import tuned_weights_forget, tuned_weights_save
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.feeds import liked_and_lookalikes


def item(pid, source, *, picked=False):
    return Ranked(pid, 1.0 / pid, "why", source, picked=picked)


def test_viewed_before_items_leave_for_you_for_their_own_rail_in_the_feeds_order():
    ranked = [item(1, Source.HISTORY), item(2, Source.VISUAL), item(3, Source.HISTORY), item(4, Source.CO_BUY),
              item(5, Source.HISTORY, picked=True)]
    rails = {name: [i.product_id for i in items] for name, _title, items in home_rails(ranked)}
    assert rails == {"for_you": [2, 4, 5], "viewed_before": [1, 3]}  # a staff pick stays where staff put it


def test_each_rail_is_at_most_a_rail_long_and_an_empty_one_is_not_shown():
    ranked = [item(n, Source.VISUAL) for n in range(1, 3 * RAIL_SIZE)]
    (name, title, items), = home_rails(ranked)
    assert (name, title) == ("for_you", "For you") and len(items) == RAIL_SIZE
    assert home_rails([]) == []


@pytest.mark.django_db
def test_a_shopper_who_viewed_a_coat_last_week_finds_it_in_its_own_rail_on_the_home_page(client):
    cache.clear()
    shopper = UserFactory()
    liked_and_lookalikes(shopper)
    coat = product_with_sizes(name="Viewed wool coat", image=False)
    interaction_record(kind="view", product_id=coat.pk, user_id=shopper.pk, at=timezone.now() - timedelta(days=6))
    tuned_weights_forget()
    tuned_weights_save(weights={"history": 8.0}, notes="test")
    try:
        client.force_login(shopper)
        response = client.get("/")
    finally:
        tuned_weights_forget()
    rails = {rail.name: rail for rail in response.context["rails"]}
    assert [card.product.pk for card in rails["viewed_before"].items][:1] == [coat.pk]
    assert rails["viewed_before"].items[0].reason.startswith("You viewed this")
    assert coat.pk not in [card.product.pk for card in rails["for_you"].items] and rails["for_you"].items
    html = response.content.decode()
    assert "Pick up where you left off" in html and "rail=viewed_before" in html


@pytest.mark.django_db
def test_for_you_stays_full_when_more_viewed_before_items_rank_above_everything_new(client):
    """Twenty viewed-before coats with a history weight that ranks each above anything new: the feed ranks k new
    items beside them (Request.history_beside), so "For you" still has a whole rail of things not yet seen."""
    cache.clear()
    shopper = UserFactory()
    _liked, similar = liked_and_lookalikes(shopper)
    viewed = [product_with_sizes(name=f"Viewed coat {n}", image=False) for n in range(20)]
    for n, coat in enumerate(viewed):
        interaction_record(kind="view", product_id=coat.pk, user_id=shopper.pk,
                           at=timezone.now() - timedelta(days=3, minutes=n))
    tuned_weights_forget()
    tuned_weights_save(weights={"history": 8.0}, notes="test")
    try:
        client.force_login(shopper)
        rails = {rail.name: [card.product.pk for card in rail.items] for rail in client.get("/").context["rails"]}
    finally:
        tuned_weights_forget()
    assert len(rails["viewed_before"]) == RAIL_SIZE and set(rails["viewed_before"]) <= {c.pk for c in viewed}
    assert len(rails["for_you"]) == RAIL_SIZE and not set(rails["for_you"]) & {c.pk for c in viewed}
