"""Learned ranking versions: one row per training run (`train_ranker`, the beat task), the collaborative factors
and the learning-to-rank model trained together, with the figures that decided whether it serves.

Status: `serving` (at most one row: a partial unique index), `shadow` (trained and measured, did not beat the
serving one on the later period), `retired` (served once, replaced), `skipped` (too little history: nothing was
trained, `reason` says why). No serving row: the linear blend serves.
`factors`: `recommender.collaborative.factors.FactorModel.to_bytes()` (.npz); `ranker`: LightGBM's model text.
`figures`: {"period": {"from", "to"}, "shoppers", "train_groups", "candidate": {...}, "serving": {...},
"blend": {...}, "importance": {feature: gain}} with NDCG@k, hit rate and coverage on the later period.
"""

from django.db import models
from django.db.models import Q


class RankerStatus(models.TextChoices):
    SERVING = "serving", "Serving"
    SHADOW = "shadow", "Shadow"
    RETIRED = "retired", "Retired"
    SKIPPED = "skipped", "Skipped (too little history)"


class RankerVersion(models.Model):
    status = models.CharField(max_length=10, choices=RankerStatus.choices, default=RankerStatus.SHADOW)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    seed = models.IntegerField(default=7)
    params = models.JSONField(default=dict, blank=True, help_text="hyper-parameters of both models")
    figures = models.JSONField(default=dict, blank=True, help_text="measured on the later period")
    reason = models.TextField(blank=True, help_text="why it serves, stays in the shadow, or was skipped")
    factors = models.BinaryField(null=True, blank=True)
    ranker = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        get_latest_by = "created_at"
        constraints = [models.UniqueConstraint(fields=["status"], condition=Q(status="serving"),
                                               name="ranker_one_serving")]

    def __str__(self):
        return f"ranker version {self.pk} ({self.status})"
