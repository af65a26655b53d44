"""What the learned ranker needs beyond `facts.product_facts`, fetched in two queries (fetch, then compute).

In: a user and/or a guest session key, candidate product ids, the request's moment `now`. Out (plain data for
`recommender.ranking.features`):
- `shopper_events`: the shopper's newest interactions (profiles.PROFILE_HISTORY_LIMIT), newest first, each
  with its product's attributes (category, colour, usage, department, brand, price, season and the catalogue's
  descriptive `attributes` as (key, value) pairs, less those another column already holds): one query;
- `item_stats`: {product id: ItemStats} with the same attributes, popularity and trend from the live behaviour
  generation and the product's age: one query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from recommender.ranking.features import Attributes, Event, ItemStats
from recommender.recommend.profiles import PROFILE_HISTORY_LIMIT

# Keys of Product.attributes that other columns already carry (base_colour, the category).
DETAIL_SKIP = frozenset({"colour", "article_type"})


def _details(attributes) -> tuple[tuple[str, str], ...]:
    if isinstance(attributes, str | bytes):  # the database driver may hand jsonb over as text
        try:
            attributes = json.loads(attributes)
        except ValueError:
            return ()
    if not isinstance(attributes, dict):
        return ()
    return tuple(sorted((str(key), str(value)) for key, value in attributes.items()
                        if key not in DETAIL_SKIP and isinstance(value, (str, int)) and value != ""))


def shopper_events(*, user=None, session_key: str | None = None, now: datetime) -> tuple[Event, ...]:
    user_id = getattr(user, "pk", None) if user is not None else None
    if user_id is None and not session_key:
        return ()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.product_id, i.kind, extract(epoch FROM (%s - i.created_at)) / 86400.0,
                      p.category_id, p.base_colour, p.usage, p.gender, p.brand, p.price, p.season, p.attributes
                 FROM recommender_interaction i JOIN catalog_product p ON p.id = i.product_id
                WHERE (i.user_id = %s OR (i.user_id IS NULL AND i.session_key = %s)) AND i.created_at <= %s
                ORDER BY i.created_at DESC, i.id DESC LIMIT %s""",
            [now, user_id, session_key or None, now, PROFILE_HISTORY_LIMIT],
        )
        rows = cursor.fetchall()
    return tuple(Event(pid, kind, float(age), Attributes(category, colour, usage, gender, brand, float(price), season,
                                                         _details(attributes)))
                 for pid, kind, age, category, colour, usage, gender, brand, price, season, attributes in rows)


def item_stats(*, product_ids: Iterable[int], now: datetime) -> dict[int, ItemStats]:
    ids = list(set(product_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p.id, p.category_id, p.base_colour, p.usage, p.gender, p.brand, p.price, p.season, p.attributes,
                      COALESCE(s.popularity, 0), COALESCE(s.trending, 0),
                      extract(epoch FROM (%s - p.created_at)) / 86400.0
                 FROM catalog_product p
                 LEFT JOIN recommender_productsignal s ON s.product_id = p.id
                      AND s.generation = (SELECT current FROM recommender_signalgeneration WHERE id = 1)
                WHERE p.id = ANY(%s)""",
            [now, ids],
        )
        rows = cursor.fetchall()
    return {pid: ItemStats(Attributes(category, colour, usage, gender, brand, float(price), season, _details(attributes)),
                           float(popularity), float(trending), max(float(age), 0.0))
            for pid, category, colour, usage, gender, brand, price, season, attributes, popularity, trending, age
            in rows}
