"""At login, the guest's cart merges into the account's (connected in CartConfig.ready)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from shop.accounts.visitors import GUEST_KEY

from .services import cart_merge


@receiver(user_logged_in, dispatch_uid="cart_merge_guest_cart")
def merge_guest_cart(sender, request, user, **kwargs):
    guest_key = request.session.get(GUEST_KEY) if request is not None else None
    if guest_key:
        cart_merge(guest_key=guest_key, user=user)
