"""A shopper's home feed as the feed-cache tests read it: ranked ids with the queries it took, and a liked
product with look-alikes so that the feed has something to rank."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommender.recommend.feeds import recommend_with_stock
from recommender.interactions.services import interaction_record
from tests.factories import product_with_sizes
from tests.helpers.vectors import direction, lookalikes, with_vector


def feed(user):
    with CaptureQueriesContext(connection) as queries:
        ranked, _ = recommend_with_stock(placement="home", user=user, k=4)
    return [item.product_id for item in ranked], len(queries.captured_queries)


def api_feed(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/recommendations/", {"placement": "home", "k": 4})
    assert response.status_code == 200
    return response.json(), len(queries.captured_queries)


def liked_and_lookalikes(user, seed=5, sizes=(("M", 3),)):
    base = direction(seed)
    liked = with_vector(product_with_sizes(name="Liked coat"), base)
    similar = lookalikes(base, 8, sizes=sizes)
    interaction_record(kind="like", product_id=liked.pk, user_id=user.pk)
    return liked, similar
