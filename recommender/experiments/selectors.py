"""The running experiment and a shopper's arm in it, as plain data, read on every request that shows rails.

`running_experiment()` -> `Running` (the experiment's id and its arms as `ArmConfig`s) or None. Read from the cache
(one GET), refilled from the database at most every CHECK_SECONDS; starting or stopping an experiment drops the
cached copy (`running_experiment_forget`), so every process follows at its next request. Fail-open: with the
cache down it is one indexed query per request; with the table missing (not migrated) there is no experiment.

`arm_for(who)` -> the shopper's `ArmConfig` or None (no experiment running, or the shopper is outside its shares).
`who` is a shopper id as recommender.interactions.versions names them ("u<user id>", "s<session key>"). A signed-in shopper's
arm is the one pinned at login (recommender.experiments.services.arms_pin_at_login) when there is one, else the
hash of their own id; a pin lookup is cached per user and experiment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db import DatabaseError, transaction

from recommender import cache
from recommender.experiments.assignment import arm_of
from recommender.models import Arm, ExperimentPin, ExperimentStatus

CHECK_SECONDS = 30
PIN_SECONDS = 3600


@dataclass(frozen=True)
class ArmConfig:
    experiment_id: int
    name: str
    share: int
    weights: dict | None = None  # merged over the shop's weights
    ranker: str = "default"  # ArmRanker
    ranker_version_id: int | None = None
    merchandising: bool = True
    control: str = ""  # ArmControl

    @property
    def key(self) -> str:
        """What a feed cached for this arm is keyed by (recommender.recommend.feeds)."""
        return f"x{self.experiment_id}.{self.name}"

    @property
    def shows_nothing(self) -> bool:
        return self.control == "no_rail"


@dataclass(frozen=True)
class Running:
    experiment_id: int
    arms: tuple[ArmConfig, ...]

    def arm(self, name: str | None) -> ArmConfig | None:
        return next((arm for arm in self.arms if arm.name == name), None)


def _load() -> dict:
    arms = list(Arm.objects.filter(experiment__status=ExperimentStatus.RUNNING).order_by("id").values(
        "experiment_id", "name", "share", "weights", "ranker", "ranker_version_id", "merchandising", "control"))
    if not arms:
        return {"id": 0}
    return {"id": arms[0]["experiment_id"], "arms": arms}


def running_experiment() -> Running | None:
    cached = cache.get(cache.EXPERIMENT_RUNNING)
    if cached is None:
        try:
            with transaction.atomic():  # a savepoint: a missing table must not abort the caller's transaction
                cached = _load()
        except DatabaseError:
            return None
        cache.set(cache.EXPERIMENT_RUNNING, cached, CHECK_SECONDS)
    if not cached["id"]:
        return None
    return Running(experiment_id=cached["id"], arms=tuple(ArmConfig(**arm) for arm in cached["arms"]))


def running_experiment_forget() -> None:
    cache.delete(cache.EXPERIMENT_RUNNING)


def pinned_arm(*, experiment_id: int, user_id: int) -> str | None:
    key = cache.experiment_pin_key(experiment_id=experiment_id, user_id=user_id)
    cached = cache.get(key)
    if cached is None:
        cached = ExperimentPin.objects.filter(experiment_id=experiment_id, user_id=user_id).values_list(
            "arm", flat=True).first() or ""
        cache.set(key, cached, PIN_SECONDS)
    return cached or None


def pinned_arm_forget(*, experiment_id: int, user_id: int) -> None:
    cache.delete(cache.experiment_pin_key(experiment_id=experiment_id, user_id=user_id))


def arm_for(who: str | None, *, running: Running | None = None) -> ArmConfig | None:
    running = running if running is not None else running_experiment()
    if running is None or not who:
        return None
    if who.startswith("u"):
        pinned = pinned_arm(experiment_id=running.experiment_id, user_id=int(who[1:]))
        if pinned is not None:
            return running.arm(pinned)
    name = arm_of(experiment_id=running.experiment_id, shopper=who,
                  arms=[(arm.name, arm.share) for arm in running.arms])
    return running.arm(name)


def arm_as_dict(arm: ArmConfig) -> dict:
    return asdict(arm)
