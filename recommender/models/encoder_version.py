"""Trained image-encoder versions (`train_encoder`): one row per version, with the figures that decided whether it
serves.

Status: `serving` (at most one row: a partial unique index; its name is the encoder new vectors are computed with),
`candidate` (trained and measured, did not beat the serving encoder: `reason` says which rule failed), `retired`
(served once, replaced; kept so staff can roll back to it), `rolled_back` (served, then staff went back).
No serving row: the configured encoder (RECOMMENDER["ENCODER"], the ImageNet lite0) is the one in use.
`figures` and `baseline_figures`: the version's and the then-serving encoder's, on the same held-out products and
shopper photos (recommender.encoder_training.evaluate). `weights`: a path under MEDIA_ROOT.
"""

from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q

from recommender import cache


class EncoderStatus(models.TextChoices):
    SERVING = "serving", "Serving"
    CANDIDATE = "candidate", "Candidate (not promoted)"
    RETIRED = "retired", "Retired"
    ROLLED_BACK = "rolled_back", "Rolled back"


class EncoderVersion(models.Model):
    name = models.CharField(max_length=40, unique=True, help_text="the encoder name vectors are stored under")
    status = models.CharField(max_length=12, choices=EncoderStatus.choices, default=EncoderStatus.CANDIDATE)
    baseline_encoder = models.CharField(max_length=40, blank=True, help_text="the encoder serving when measured")
    figures = models.JSONField(default=dict, blank=True)
    baseline_figures = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    config = models.JSONField(default=dict, blank=True, help_text="training options (budget, seed, device, ...)")
    curve = models.JSONField(default=list, blank=True, help_text="the learning curve, one point per measurement")
    weights = models.CharField(max_length=255, blank=True, help_text="relative to MEDIA_ROOT")
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.UniqueConstraint(fields=["status"], condition=Q(status="serving"),
                                               name="encoder_one_serving")]

    def __str__(self):
        return f"encoder {self.name} ({self.status})"


PROMOTED_CACHE_SECONDS = 60


def promoted_cache_key() -> str:
    return cache.promoted_encoder_key(connection.settings_dict["NAME"])


def promoted_encoder_name() -> str | None:
    """The serving version's name, or None: the configured encoder (recommender.conf asks this on every read of the
    ENCODER setting, so it comes from the cache; promoting and rolling back delete the key, in every process at once)."""
    key = promoted_cache_key()
    cached = cache.get(key)  # a stopped Redis reads as a miss: the database answers
    if cached is not None:
        return cached or None
    try:
        # A savepoint: a table this read cannot use (migrations not applied yet) must not abort the caller's
        # transaction, which every later statement of the request or the evaluation would then fail in.
        with transaction.atomic():
            name = EncoderVersion.objects.filter(status=EncoderStatus.SERVING).values_list("name", flat=True).first()
    except DatabaseError:
        return None
    cache.set(key, name or "", PROMOTED_CACHE_SECONDS)
    return name
