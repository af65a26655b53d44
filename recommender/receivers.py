"""Listeners: keep embeddings in step with catalogue changes. Connected in RecommenderConfig.ready()."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shop.catalog.models import ProductImage


@receiver(post_save, sender=ProductImage, dispatch_uid="recommender.image_saved")
def image_saved(sender, instance: ProductImage, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    from recommender.embeddings import store
    from recommender.models import ImageEmbedding
    from recommender.tasks import embed_images_enqueue

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
    from recommender.embeddings import store
    from recommender.models import ProductEmbedding

    for encoder in set(ProductEmbedding.objects.filter(product_id=instance.product_id).values_list("encoder", flat=True)):
        store.product_vectors_refresh(product_ids=[instance.product_id], encoder=encoder)
