"""Listeners for the online metrics: a request's impressions are pushed once its response has gone; a click on a
recommendation is buffered for attribution; at login a guest's impressions and experiment arm become the account's.
Connected in RecommenderConfig.ready()."""

import logging

from django.contrib.auth.signals import user_logged_in
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.dispatch import receiver

from recommender.impressions.recording import request_collect, request_push
from shop import events
from shop.accounts.visitors import GUEST_KEY

logger = logging.getLogger(__name__)

# A request's impressions are pushed to Redis after its response has gone (recommender.impressions.recording).
request_started.connect(request_collect, dispatch_uid="recommender.impressions_request_started")
request_finished.connect(request_push, dispatch_uid="recommender.impressions_request_finished")


@receiver(events.recommendation_clicked, dispatch_uid="recommender.impression_clicked")
def impression_clicked(sender, product_id, rail="", request_id="", user=None, session_key=None, **kwargs):
    from recommender.impressions.recording import click_record

    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    click_record(product_id=product_id, rail=rail or "", request_id=request_id or "", user_id=user_id,
                 session_key=session_key)


@receiver(user_logged_in, dispatch_uid="recommender.impressions_follow_login")
def impressions_follow_login(sender, request, user, **kwargs):
    from recommender.experiments.services import arms_pin_at_login
    from recommender.impressions.attribution import impressions_follow_login as follow

    guest_key = request.session.get(GUEST_KEY) if request is not None else None
    if not guest_key:
        return
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the login's own transaction usable
            arms_pin_at_login(guest_key=guest_key, user_id=user.pk)
            follow(session_key=guest_key, user_id=user.pk)
    except Exception:  # a login must never fail on analytics
        logger.exception("could not carry guest %s's arm and impressions into user %s", guest_key, user.pk)
