"""A training run as the worker task runs it, with its progress where the health page reads it (the cache).

In: the version name and the training options. Out: {"version", "status", "reason"}; meanwhile the cache key
`recommender.cache.ENCODER_TRAINING` holds {"version", "step", "percent", "info", "updated_at", "finished", "error"}.
"""

from __future__ import annotations


from django.utils import timezone

from recommender import cache
from recommender.encoder_training.versions import default_shopper_photos, version_register

PROGRESS_SECONDS = 6 * 3600


def progress_read() -> dict | None:
    return cache.get(cache.ENCODER_TRAINING)  # a stopped Redis: no progress to show, not an error page


def _write(state: dict) -> None:
    cache.set(cache.ENCODER_TRAINING, {**state, "updated_at": timezone.now().isoformat()}, PROGRESS_SECONDS)


def training_run(*, name: str, minutes: float, seed: int, device: str) -> dict:
    from recommender.encoder_training.loop import TrainConfig, train_run

    folder = default_shopper_photos()
    config = TrainConfig(version=name, minutes=minutes, seed=seed, device=device,
                         shopper_train=str(folder / "train") if folder else None,
                         shopper_validation=str(folder / "validation") if folder else None)
    state = {"version": name, "step": "starting", "percent": 0, "info": {}, "finished": False, "error": ""}
    _write(state)

    def progress(step: str, fraction: float, info: dict) -> None:
        state.update(step=step, percent=round(100 * fraction), info=info)
        _write(state)

    try:
        result = train_run(config, progress=progress)
        row = version_register(name=name, config=config, curve=result.curve, progress=progress)
    except Exception as error:
        state.update(finished=True, error=f"{type(error).__name__}: {error}")
        _write(state)
        raise
    state.update(step="done", percent=100, finished=True, info={"status": row.status, "reason": row.reason})
    _write(state)
    return {"version": name, "status": row.status, "reason": row.reason}
