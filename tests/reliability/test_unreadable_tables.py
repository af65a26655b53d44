"""A recommender table that a read cannot use (a server whose migrations are not applied yet) costs that read only:
the caller's transaction stays usable, so the request or the evaluation around it goes on."""

import pytest
from django.core.cache import cache
from django.db import connection

from recommender.cache import TUNED_WEIGHTS
from recommender.merchandising.selectors import live_rules
from recommender.models.encoder_version import promoted_encoder_name
from recommender.recommend.weights import tuned_weights
from shop.catalog.models import Product
from tests.helpers.encoder_training import forget_serving_caches

pytestmark = pytest.mark.django_db

READS = {
    "recommender_encoderversion": (promoted_encoder_name, None),
    "recommender_merchandisingrule": (lambda: live_rules(version="-"), ()),
    "recommender_recommendersettings": (tuned_weights, None),
}


@pytest.mark.parametrize("table", sorted(READS))
def test_an_unreadable_table_answers_the_default_and_the_transaction_goes_on(table):
    read, default = READS[table]
    forget_serving_caches()
    cache.delete(TUNED_WEIGHTS)  # each read asks the database, not a value cached by an earlier test
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")

    assert read() == default
    assert Product.objects.count() == 0  # the next statement runs: the transaction was not aborted
    forget_serving_caches()
    cache.delete(TUNED_WEIGHTS)
