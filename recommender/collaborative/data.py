"""Reads for training the factor model: the interaction log and the catalogue's vectors and attributes.

`log_read(now=...)` -> (`train.Log`, number of shoppers): every interaction of a signed-in shopper or a guest
session (anonymous rows have no one to learn a taste for), its recorded weight and age in days at `now`: one query.
`catalogue_read()` -> (active product ids, {id: unit vector or None}, {id: (category, colour, department, usage)}):
two queries. `factors_fit_on_log(now=..., seed=...)`: both, then `train.factors_train`.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from django.db import connection
from django.utils import timezone

from recommender.collaborative.factors import FactorModel
from recommender.collaborative.train import Log, factors_train
from recommender.vectors.store import encoder_for_serving, unit_vectors
from shop.catalog.models import Product


def log_read(*, now: datetime | None = None) -> tuple[Log, int]:
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT dense_rank() OVER (ORDER BY COALESCE('u' || user_id::text, 's' || session_key)) - 1,
                      product_id, weight, extract(epoch FROM (%s - created_at)) / 86400.0
                 FROM recommender_interaction
                WHERE (user_id IS NOT NULL OR session_key IS NOT NULL) AND created_at <= %s""",
            [now, now],
        )
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0)
        return Log(empty.astype(np.int64), empty.astype(np.int64), empty, empty), 0
    data = np.array(rows, dtype=np.float64)
    log = Log(shoppers=data[:, 0].astype(np.int64), products=data[:, 1].astype(np.int64), weights=data[:, 2],
              ages_days=data[:, 3])
    return log, int(log.shoppers.max()) + 1


def catalogue_read() -> tuple[list[int], dict, dict]:
    rows = list(Product.objects.filter(is_active=True).order_by("pk")
                .values_list("pk", "category_id", "base_colour", "gender", "usage"))
    ids = [pk for pk, *_ in rows]
    encoder = encoder_for_serving()
    vectors = unit_vectors(product_ids=ids, encoder=encoder) if encoder else {}
    attributes = {pk: (category, colour, gender, usage) for pk, category, colour, gender, usage in rows}
    return ids, vectors, attributes


def factors_fit_on_log(*, now: datetime | None = None, seed: int = 7, **params) -> FactorModel | None:
    """None when nobody has interacted with anything yet."""
    log, shoppers = log_read(now=now)
    if not shoppers:
        return None
    ids, vectors, attributes = catalogue_read()
    return factors_train(log, product_ids=ids, vectors=vectors, attributes=attributes, seed=seed, **params)
