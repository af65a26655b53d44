"""Settings staff can see and edit in admin, and the log of offline evaluations for the health dashboard.

RecommenderSettings: a single row (pk 1). `weights` = {source name: weight >= 0} saved by `tune_weights` (or typed
by staff); empty = use RECOMMENDER["WEIGHTS"]. Read, saved and deleted through `recommender.recommend.weights`, which
keeps the row single and drops the cached weights.
EvaluationRun: one row per `evaluate` run; `results` is the JSON report, `chart` a path under MEDIA_ROOT.
"""

from django.core.exceptions import ValidationError
from django.db import models

from recommender.ranking.blend import check_weights


def _check_weights(value):
    if value:
        try:
            check_weights(value)
        except (ValueError, TypeError) as error:
            raise ValidationError(str(error)) from error


class RecommenderSettings(models.Model):
    weights = models.JSONField(default=dict, blank=True, validators=[_check_weights],
                               help_text="Blend weight per source, e.g. {\"visual\": 1.0, \"co_buy\": 0.9}; "
                                         "empty = the defaults in settings. Sources left out are switched off.")
    notes = models.TextField(blank=True, help_text="How these weights were found (written by tune_weights).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "recommender settings"

    def __str__(self):
        return "Recommender settings"


class EvaluationKind(models.TextChoices):
    RANKING = "ranking", "Ranking (temporal split)"
    VISUAL = "visual", "Visual (same category)"
    TUNING = "tuning", "Weight tuning"


class EvaluationRun(models.Model):
    kind = models.CharField(max_length=10, choices=EvaluationKind.choices, default=EvaluationKind.RANKING)
    k = models.PositiveSmallIntegerField(default=10)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.FloatField(default=0.0)  # 0..1 while running
    step = models.CharField(max_length=40, blank=True)
    results = models.JSONField(default=dict, blank=True)
    chart = models.CharField(max_length=255, blank=True)  # relative to MEDIA_ROOT
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-started_at", "-id")
        get_latest_by = "started_at"

    def __str__(self):
        return f"{self.kind} evaluation at {self.started_at:%Y-%m-%d %H:%M}"
