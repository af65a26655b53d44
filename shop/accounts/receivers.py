"""At login, the guest's likes become the account's (connected in AccountsConfig.ready)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import likes_merge
from .visitors import GUEST_KEY


@receiver(user_logged_in, dispatch_uid="accounts_merge_guest_likes")
def merge_guest_likes(sender, request, user, **kwargs):
    guest_key = request.session.get(GUEST_KEY) if request is not None else None
    if guest_key:
        likes_merge(guest_key=guest_key, user=user)
