"""A rule saved or deleted anywhere (admin, its inlines, the API, a history revert, a shell) moves the rules version,
so every page, API answer and cached or precomputed feed uses the new rules on its next request.

Bumped at once and again after commit: a request between the two could read the old rows and cache them under the
first new version; the second makes that set unreachable.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from recommender.merchandising.selectors import rules_version_bump
from recommender.models import ComplementPick, MerchandisingRule


@receiver(post_save, sender=MerchandisingRule)
@receiver(post_delete, sender=MerchandisingRule)
@receiver(post_save, sender=ComplementPick)
@receiver(post_delete, sender=ComplementPick)
def rules_changed(sender, **kwargs) -> None:
    rules_version_bump()
    transaction.on_commit(rules_version_bump)
