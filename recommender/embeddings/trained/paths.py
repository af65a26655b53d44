"""Where trained encoder versions live (no torch import: the encoder registry asks this on every unknown name).

Out: ``models_dir()`` = MEDIA_ROOT/models/encoders; ``weights_file(version)`` = <that>/<version>.pt (what serves);
``work_dir(version)`` = <that>/work/<version> (checkpoint and stored views of a run; safe to delete once done);
``weights_stamp(version)``: the weights file's modification time in ns, 0 without one (what caches of a version
key on, so the same name trained again is read again).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def models_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "models" / "encoders"


def weights_file(version: str) -> Path:
    return models_dir() / f"{version}.pt"


def work_dir(version: str) -> Path:
    return models_dir() / "work" / version


def weights_stamp(version: str) -> int:
    try:
        return weights_file(version).stat().st_mtime_ns
    except FileNotFoundError:
        return 0
