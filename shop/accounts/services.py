"""Account writes: profiles, likes, and moving a guest's likes into their account at login."""

from django.db import IntegrityError, transaction

from shop import events
from shop.catalog.models import Product

from .models import Like, Profile
from .visitors import Visitor


def profile_get_or_create(*, user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_update(*, user, department: str, sizes: dict[str, str]) -> Profile:
    profile = profile_get_or_create(user=user)
    profile.department = department
    # Blank answers are dropped so "unknown" never reads as a size called "".
    profile.sizes = {kind: size for kind, size in sizes.items() if size}
    profile.save(update_fields=["department", "sizes", "updated_at"])
    return profile


def _owner(visitor: Visitor) -> dict:
    return {"user": visitor.user} if visitor.user else {"user": None, "guest_key": visitor.guest_key}


def like_set(*, visitor: Visitor, product: Product, liked: bool) -> bool:
    """Like or unlike; returns whether anything changed. Sends product_liked only on a change."""
    if visitor.user is None and visitor.guest_key is None:
        raise ValueError("a guest needs a guest key to like (visitor_from_request(create_guest_key=True))")
    owner = _owner(visitor)
    if liked:
        try:
            with transaction.atomic():
                _, changed = Like.objects.get_or_create(**owner, product=product)
        except IntegrityError:  # a double click raced us to it: the like exists, which is what was asked
            changed = False
    else:
        changed = Like.objects.filter(**owner, product=product).delete()[0] > 0
    if changed:
        events.product_liked.send_robust(
            sender=Like, user=visitor.user, session_key=visitor.session_key, at=None,
            product_id=product.pk, liked=liked,
        )
    return changed


def likes_merge(*, guest_key: str, user) -> int:
    """Give a guest's likes to the user (skipping ones they already have); returns how many moved."""
    guest_likes = Like.objects.filter(user__isnull=True, guest_key=guest_key)
    already = set(Like.objects.filter(user=user).values_list("product_id", flat=True))
    moved = guest_likes.exclude(product_id__in=already).update(user=user, guest_key=None)
    guest_likes.delete()
    return moved
