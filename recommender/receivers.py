"""Listeners: keep embeddings in step with catalogue changes, turn shop events into interactions, and queue the work
the domain's own signals ask for (a shopper's feed to precompute, the cards of a feed computed ahead).
Connected in RecommenderConfig.ready()."""

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from recommender.api.cards import cards_made, catalogue_touched
from recommender.conf import recommender_setting
from recommender.interactions import services as interactions
from recommender.interactions.versions import shopper_id, shopper_touched, shopper_version_bumped
from recommender.models import ImageEmbedding, InteractionKind, ProductEmbedding
from recommender.recommend.feeds import feed_cached
from recommender.tasks import embed_images_enqueue, embed_texts_enqueue, refresh_feed_enqueue
from recommender.vectors import store
from shop import events
from shop.accounts.models import Profile
from shop.accounts.visitors import GUEST_KEY
from shop.catalog.models import Category, Product, ProductImage, Variant


@receiver(post_save, sender=ProductImage, dispatch_uid="recommender.image_saved")
def image_saved(sender, instance: ProductImage, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    stale = ImageEmbedding.objects.filter(image=instance).exclude(sha256=instance.sha256)
    encoders = list(stale.values_list("encoder", flat=True))
    if encoders:
        # New bytes: the old vectors stop counting now, inside the same transaction as the save.
        for encoder in encoders:
            store.product_vectors_refresh(product_ids=[instance.product_id], encoder=encoder)
    if created or encoders:
        image_id = instance.pk
        transaction.on_commit(lambda: embed_images_enqueue([image_id]))


@receiver(post_delete, sender=ProductImage, dispatch_uid="recommender.image_deleted")
def image_deleted(sender, instance: ProductImage, **kwargs):
    for encoder in set(ProductEmbedding.objects.filter(product_id=instance.product_id).values_list("encoder", flat=True)):
        store.product_vectors_refresh(product_ids=[instance.product_id], encoder=encoder)


@receiver(post_save, sender=Product, dispatch_uid="recommender.product_text_saved")
def product_text_saved(sender, instance: Product, raw: bool = False, **kwargs):
    # Every save queues: whether the text changed is decided by the task (a hash of the text), which
    # costs less than reading the old row here. Bulk imports send no signal; the reconciler covers them.
    if raw:
        return
    product_id = instance.pk
    transaction.on_commit(lambda: embed_texts_enqueue([product_id]))


@receiver(post_save, sender=Profile, dispatch_uid="recommender.profile_saved")
def profile_saved(sender, instance: Profile, raw: bool = False, **kwargs):
    # Their sizes may have changed: a cached feed filtered by the old ones must not be served.
    if not raw:
        user_id = instance.user_id
        transaction.on_commit(lambda: shopper_touched([shopper_id(user_id=user_id)]))


@receiver(post_save, sender=Product, dispatch_uid="recommender.catalogue_saved_product")
@receiver(post_delete, sender=Product, dispatch_uid="recommender.catalogue_deleted_product")
@receiver(post_save, sender=ProductImage, dispatch_uid="recommender.catalogue_saved_image")
@receiver(post_delete, sender=ProductImage, dispatch_uid="recommender.catalogue_deleted_image")
@receiver(post_save, sender=Category, dispatch_uid="recommender.catalogue_saved_category")
@receiver(post_save, sender=Variant, dispatch_uid="recommender.catalogue_saved_variant")
@receiver(post_delete, sender=Variant, dispatch_uid="recommender.catalogue_deleted_variant")
def catalogue_changed(sender, raw: bool = False, **kwargs):
    # Cached product cards show names, prices, images, categories and sizes: they must not outlive an edit. Sales
    # change stock with a queryset update, which sends no signal (each request checks stock itself).
    if not raw:
        transaction.on_commit(catalogue_touched)


# Shop events become interactions (recommender.interactions). Receivers stay thin: ids in, one service call.

def _user_id(user) -> int | None:
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


@receiver(events.product_viewed, dispatch_uid="recommender.interaction_viewed")
def interaction_viewed(sender, product_id, user=None, session_key=None, at=None, **kwargs):
    interactions.interaction_record(kind=InteractionKind.VIEW, product_id=product_id, user_id=_user_id(user),
                                    session_key=session_key, at=at)


@receiver(events.recommendation_clicked, dispatch_uid="recommender.interaction_clicked")
def interaction_clicked(sender, product_id, rail="", user=None, session_key=None, at=None, **kwargs):
    interactions.interaction_record(kind=InteractionKind.CLICK, product_id=product_id, user_id=_user_id(user),
                                    session_key=session_key, at=at, rail=rail or "")


@receiver(events.product_liked, dispatch_uid="recommender.interaction_liked")
def interaction_liked(sender, product_id, liked=True, user=None, session_key=None, at=None, **kwargs):
    if liked:
        interactions.interaction_record(kind=InteractionKind.LIKE, product_id=product_id, user_id=_user_id(user),
                                        session_key=session_key, at=at)
    else:
        interactions.interaction_unlike(product_id=product_id, user_id=_user_id(user), session_key=session_key)


@receiver(events.cart_item_added, dispatch_uid="recommender.interaction_carted")
def interaction_carted(sender, product_id, variant_id=None, user=None, session_key=None, at=None, **kwargs):
    interactions.interaction_record(kind=InteractionKind.CART, product_id=product_id, user_id=_user_id(user),
                                    session_key=session_key, at=at, variant_id=variant_id)


@receiver(events.order_placed, dispatch_uid="recommender.interaction_purchased")
def interaction_purchased(sender, items, order_id=None, user=None, session_key=None, at=None, **kwargs):
    # One row per order line; a re-sent order (same order_id) adds nothing (unique index per line).
    interactions.interactions_record_bulk(events=[
        interactions.InteractionEvent(kind=InteractionKind.PURCHASE, product_id=product_id, variant_id=variant_id,
                                      order_id=order_id, user_id=_user_id(user), session_key=session_key, at=at)
        for product_id, variant_id, _quantity in items
    ])


@receiver(user_logged_in, dispatch_uid="recommender.interactions_follow_login")
def interactions_follow_login(sender, request, user, **kwargs):
    # As the cart and likes do (shop/cart/receivers.py): login() has already rotated the session key,
    # but the guest key kept inside the session is the key the guest's events were sent with.
    guest_key = request.session.get(GUEST_KEY) if request is not None else None
    if guest_key:
        interactions.interactions_merge_guest(session_key=guest_key, user_id=user.pk)


@receiver(connection_created, dispatch_uid="recommender.hnsw_ef_search")
def hnsw_ef_search_default(sender, connection, **kwargs):
    store.ef_search_session_default(connection)


@receiver(events.catalogue_imported, dispatch_uid="recommender.catalogue_imported")
def catalogue_imported(sender, **kwargs):
    # An import writes in bulk (no model signals): names, prices and sizes on cached cards may all have changed.
    catalogue_touched()


@receiver(shopper_version_bumped, dispatch_uid="recommender.feed_precompute")
def feed_precompute_queued(sender, who: str, version: int, live: bool = True, **kwargs):
    # The shopper acted: a worker computes their new home feed, so their next page usually finds it ready.
    if live and recommender_setting("FEED_PRECOMPUTE"):
        refresh_feed_enqueue(who, version)


@receiver(feed_cached, dispatch_uid="recommender.feed_cards")
def feed_cards_made(sender, product_ids, **kwargs):
    cards_made(product_ids)
