"""Shop events: past-tense signals the store sends and anyone (the recommender) may listen to.

The shop never imports the recommender; it only sends these. Every signal carries:
    user         the signed-in user, or None for a guest
    session_key  the guest's (or user's) session key, or None
    at           when it happened (timezone-aware datetime); None means now. Simulated history sets it.
and these, per signal:
    product_viewed   product_id
    product_liked    product_id, liked (False when a like is taken back)
    cart_item_added  product_id, variant_id, quantity
    order_placed     order_id, items: list of (product_id, variant_id, quantity)
    recommendation_clicked  product_id, rail (the rail's name, e.g. "looks_like"), request_id (the rail's, when
                     the click came with one; "" otherwise)

One catalogue event carries no shopper, only `created` and `updated` (how many products): catalogue_imported,
sent after an import that created or changed products with bulk writes (which send no model signals).

Ids rather than model instances: receivers may run later or elsewhere, and ids serialise.
Send with `send_robust` so a failing listener never breaks a page or an order.
"""

from django.dispatch import Signal

product_viewed = Signal()
product_liked = Signal()
cart_item_added = Signal()
order_placed = Signal()
recommendation_clicked = Signal()
catalogue_imported = Signal()
