"""Experiments: arms that change how recommendations are made, each given a share of shoppers.

An `Experiment` is drafted, started (`running`, at most one at a time: a partial unique index) and stopped, and is
judged on one primary metric. An `Arm` changes one thing against the default: blend weights, the ranker (the
linear blend, or a given learned `RankerVersion`), the merchandising flag, or a control that shows only trending
items or no rail at all. `share` is the percentage of shoppers it gets; shares add up to at most 100 and the rest
of the traffic stays on the default, outside the experiment. Which arm a shopper is in is a hash of the shopper and
the experiment (recommender.experiments.assignment); an `ExperimentPin` keeps a guest's arm when they sign in.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"


class PrimaryMetric(models.TextChoices):
    CTR = "ctr", "Click-through rate (rails clicked / rails shown)"
    ADD_TO_CART = "add_to_cart", "Add-to-cart rate (rails with a cart addition / rails shown)"
    CONVERSION = "conversion", "Conversion (shoppers who bought a recommended item / shoppers)"


class ArmRanker(models.TextChoices):
    DEFAULT = "default", "As the shop serves (learned ranker if one serves)"
    BLEND = "blend", "Linear blend"
    LEARNED = "learned", "A learned ranker version"


class ArmControl(models.TextChoices):
    NONE = "", "No (recommendations as configured)"
    POPULARITY = "popularity", "Popularity only (trending items)"
    NO_RAIL = "no_rail", "No rail at all"


class Experiment(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT)
    primary_metric = models.CharField(max_length=20, choices=PrimaryMetric.choices, default=PrimaryMetric.CTR)
    alpha = models.FloatField(default=0.05, help_text="false-positive rate of each comparison with the control")
    power = models.FloatField(default=0.8, help_text="for the sample size still needed")
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="experiment_one_running"),
            models.CheckConstraint(condition=Q(alpha__gt=0, alpha__lt=0.5), name="experiment_alpha_range"),
            models.CheckConstraint(condition=Q(power__gt=0.5, power__lt=1), name="experiment_power_range"),
        ]

    def __str__(self):
        return self.name


class Arm(models.Model):
    experiment = models.ForeignKey(Experiment, related_name="arms", on_delete=models.CASCADE)
    name = models.SlugField(max_length=30, help_text="short id, recorded with every impression")
    share = models.PositiveSmallIntegerField(help_text="percentage of shoppers")
    is_control = models.BooleanField(default=False, help_text="the arm the others are compared with")
    weights = models.JSONField(null=True, blank=True, help_text="blend weights per source; empty: the shop's")
    ranker = models.CharField(max_length=10, choices=ArmRanker.choices, default=ArmRanker.DEFAULT)
    ranker_version = models.ForeignKey("recommender.RankerVersion", null=True, blank=True, related_name="+",
                                       on_delete=models.PROTECT)
    merchandising = models.BooleanField(default=True, help_text="staff merchandising rules apply")
    control = models.CharField(max_length=12, choices=ArmControl.choices, default=ArmControl.NONE, blank=True)

    class Meta:
        ordering = ("experiment", "-is_control", "id")
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="arm_unique_name"),
            models.UniqueConstraint(fields=["experiment"], condition=Q(is_control=True), name="arm_one_control"),
            models.CheckConstraint(condition=Q(share__gte=1, share__lte=100), name="arm_share_range"),
        ]

    def __str__(self):
        return f"{self.experiment} / {self.name}"


class ExperimentPin(models.Model):
    """A signed-in shopper's arm, fixed at login to the one they had as a guest."""

    experiment = models.ForeignKey(Experiment, related_name="+", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    arm = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["experiment", "user"], name="experiment_pin_unique")]
