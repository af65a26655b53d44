"""Experiment writes: create (with arms, validated), start, stop, and pin a guest's arm to their account at login.

In: plain values (the API's and admin's validated input). Out: `Experiment` rows; a `django.core.exceptions
.ValidationError` with a message a person can act on for anything wrong (the API answers it as 400).

Starting or stopping drops the cached running experiment (recommender.experiments.selectors), so every process
serves the change at its next request: a stopped experiment's shoppers get the default at once (their feeds are
cached per arm, recommender.recommend.feeds, so no arm's feed is served to them after the stop). A stopped experiment is not
started again: its shoppers have seen the default since; copy it into a new one.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from recommender.experiments.selectors import arm_for, pinned_arm_forget, running_experiment, running_experiment_forget
from recommender.models import (
    Arm,
    ArmControl,
    ArmRanker,
    Experiment,
    ExperimentPin,
    ExperimentStatus,
    PrimaryMetric,
    RankerVersion,
)
from recommender.ranking import Source

ARM_FIELDS = {"name", "share", "is_control", "weights", "ranker", "ranker_version", "merchandising", "control"}


def _arm_clean(raw: dict, index: int) -> dict:
    if not isinstance(raw, dict):
        raise ValidationError(f"arm {index + 1}: expected an object")
    unknown = set(raw) - ARM_FIELDS
    if unknown:
        raise ValidationError(f"arm {index + 1}: unknown fields {sorted(unknown)}")
    name = str(raw.get("name") or "")
    if not name or slugify(name) != name or len(name) > 30:
        raise ValidationError(f"arm {index + 1}: name must be a short slug (letters, digits, - or _), got {name!r}")
    share = raw.get("share")
    if not isinstance(share, int) or isinstance(share, bool) or not 1 <= share <= 100:
        raise ValidationError(f"arm {name}: share must be a whole percentage from 1 to 100")
    weights = raw.get("weights") or None
    if weights is not None:
        if not isinstance(weights, dict):
            raise ValidationError(f"arm {name}: weights must be an object of source: weight")
        known = {str(s) for s in Source}
        bad = [k for k, v in weights.items() if k not in known or isinstance(v, bool)
               or not isinstance(v, int | float) or not 0 <= v <= 100]
        if bad:
            raise ValidationError(f"arm {name}: weights {sorted(bad)} are not sources ({sorted(known)}) with a "
                                  "weight from 0 to 100")
    ranker = raw.get("ranker", ArmRanker.DEFAULT)
    if ranker not in ArmRanker.values:
        raise ValidationError(f"arm {name}: ranker must be one of {ArmRanker.values}")
    version = raw.get("ranker_version")
    if ranker == ArmRanker.LEARNED:
        if not isinstance(version, int) or not RankerVersion.objects.filter(pk=version).exclude(ranker="").exists():
            raise ValidationError(f"arm {name}: a learned arm needs ranker_version, the id of a trained version")
    elif version is not None:
        raise ValidationError(f"arm {name}: ranker_version is for a learned arm only")
    control = raw.get("control", "") or ""
    if control not in ArmControl.values:
        raise ValidationError(f"arm {name}: control must be one of {ArmControl.values}")
    merchandising = raw.get("merchandising", True)
    if not isinstance(merchandising, bool):
        raise ValidationError(f"arm {name}: merchandising must be true or false")
    return {"name": name, "share": share, "is_control": bool(raw.get("is_control", False)), "weights": weights,
            "ranker": ranker, "ranker_version_id": version if ranker == ArmRanker.LEARNED else None,
            "merchandising": merchandising, "control": control}


def experiment_create(*, name: str, arms: Sequence[dict], primary_metric: str = PrimaryMetric.CTR,
                      alpha: float = 0.05, power: float = 0.8, description: str = "") -> Experiment:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("name: 1 to 100 characters")
    if primary_metric not in PrimaryMetric.values:
        raise ValidationError(f"primary_metric must be one of {PrimaryMetric.values}")
    if not 0 < alpha < 0.5 or not 0.5 < power < 1:
        raise ValidationError("alpha must be in (0, 0.5) and power in (0.5, 1)")
    if not isinstance(arms, list | tuple) or len(arms) < 2:
        raise ValidationError("an experiment needs at least two arms")
    cleaned = [_arm_clean(raw, i) for i, raw in enumerate(arms)]
    if len({arm["name"] for arm in cleaned}) != len(cleaned):
        raise ValidationError("arm names must differ")
    if sum(arm["share"] for arm in cleaned) > 100:
        raise ValidationError("arm shares add up to more than 100 %")
    controls = [arm for arm in cleaned if arm["is_control"]]
    if len(controls) > 1:
        raise ValidationError("only one arm can be the control")
    if not controls:
        cleaned[0]["is_control"] = True  # the first arm is the baseline unless one is named
    try:
        with transaction.atomic():
            experiment = Experiment.objects.create(name=name, description=description or "",
                                                   primary_metric=primary_metric, alpha=alpha, power=power)
            Arm.objects.bulk_create([Arm(experiment=experiment, **arm) for arm in cleaned])
    except IntegrityError:
        raise ValidationError(f"an experiment named {name!r} exists already") from None
    return experiment


def experiment_start(*, experiment: Experiment) -> Experiment:
    if experiment.status != ExperimentStatus.DRAFT:
        raise ValidationError(f"only a draft experiment can start; this one is {experiment.status}")
    try:
        with transaction.atomic():
            updated = Experiment.objects.filter(pk=experiment.pk, status=ExperimentStatus.DRAFT).update(
                status=ExperimentStatus.RUNNING, started_at=timezone.now())
    except IntegrityError:
        raise ValidationError("another experiment is running: stop it first") from None
    if not updated:
        raise ValidationError("the experiment changed meanwhile: reload it")
    running_experiment_forget()
    experiment.refresh_from_db()
    return experiment


def experiment_stop(*, experiment: Experiment) -> Experiment:
    if experiment.status != ExperimentStatus.RUNNING:
        raise ValidationError(f"only a running experiment can stop; this one is {experiment.status}")
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.STOPPED, stopped_at=timezone.now())
    running_experiment_forget()
    experiment.refresh_from_db()
    return experiment


def arms_pin_at_login(*, guest_key: str, user_id: int) -> str | None:
    """The arm the guest had is the account's from now on (for the running experiment). Returns the arm pinned."""
    running = running_experiment()
    if running is None or not guest_key:
        return None
    arm = arm_for(f"s{guest_key}", running=running)
    if arm is None:
        return None
    ExperimentPin.objects.update_or_create(experiment_id=running.experiment_id, user_id=user_id,
                                           defaults={"arm": arm.name})
    pinned_arm_forget(experiment_id=running.experiment_id, user_id=user_id)
    return arm.name
