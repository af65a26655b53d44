"""The page side of experiments and impressions, for the rails provider and the API: which arm a request's
shopper is in, and recording the rails it was shown.

`request_arm(request)`: the shopper's `ArmConfig` for the running experiment, or None. A guest without a session
gets one (and a guest key, shop.accounts.visitors) while an experiment runs: an arm needs an id to stay the same
on their next page. `rails_shown(request, placement, rails, sources, arm)`: records one impression per rail (the
products as the page shows them, with each one's source) and returns the rails carrying the request id that their
card links send back with a click.
"""

from __future__ import annotations

from dataclasses import replace

from recommender.experiments.selectors import arm_for, running_experiment
from recommender.impressions.recording import Shown, impressions_record
from shop.accounts.visitors import visitor_from_request


def request_arm(request):
    running = running_experiment()
    if running is None:
        return None
    if request.user.is_authenticated:
        return arm_for(f"u{request.user.pk}", running=running)
    visitor = visitor_from_request(request, create_guest_key=True)
    return arm_for(f"s{visitor.guest_key or visitor.session_key}", running=running)


def rails_shown(request, *, placement: str, rails: list, sources: dict[int, str], arm) -> list:
    user_id = request.user.pk if request.user.is_authenticated else None
    shown = [Shown(rail=rail.name, product_ids=[item.product.pk for item in rail.items],
                   sources=[sources.get(item.product.pk, "") for item in rail.items]) for rail in rails]
    request_id = impressions_record(placement=placement, shown=shown, user_id=user_id,
                                    session_key=request.session.session_key, arm=arm)
    if request_id is None:
        return rails
    return [replace(rail, request_id=request_id) for rail in rails]


REQUEST_ID_HEADER = "Recommendation-Request-Id"
API_RAIL = "api"


def api_shown(request, *, visitor, placement: str, ranked) -> str | None:
    """Record an API answer as one impression of rail "api"; returns its request id."""
    from recommender.experiments.selectors import arm_for as arm_of_shopper
    from recommender.interactions.versions import shopper_id

    user_id = visitor.user.pk if visitor.user is not None else None
    session_key = visitor.guest_key or visitor.session_key
    arm = arm_of_shopper(shopper_id(user_id=user_id, session_key=session_key))
    return impressions_record(
        placement=placement, user_id=user_id, session_key=session_key, arm=arm,
        shown=[Shown(rail=API_RAIL, product_ids=[item.product_id for item in ranked],
                     sources=[str(item.source) for item in ranked])])
