"""Settings for the processes a chaos scenario starts (gunicorn, Celery, manage.py): the test settings,
with DATABASE_URL and REDIS_URL always given (the scenario's own servers, see tests.chaos.harness).

One change: the reconciler treats a pending row as lost at once instead of after 10 minutes, so a
scenario can run "the beat task after the grace period" without waiting for it.
"""

from shop.settings.test import *  # noqa: F401,F403

RECOMMENDER = {"RECONCILE_GRACE_SECONDS": 0}
