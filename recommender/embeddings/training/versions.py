"""Shop encoder versions: register a trained one, measure it against the serving encoder, promote, roll back."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from recommender.embeddings.training.loop import models_dir

PREFIX = "lite0-shop-"


def default_shopper_photos() -> Path | None:
    """RECOMMENDER["SHOPPER_PHOTOS"], else ../shared/data/shopper-photos beside the project when it is there."""
    from recommender.conf import recommender_setting

    configured = recommender_setting("SHOPPER_PHOTOS")
    candidates = [Path(configured)] if configured else [Path(settings.BASE_DIR).parent / "shared" / "data" / "shopper-photos"]
    return next((path for path in candidates if (path / "validation").is_dir()), None)


def next_version_name() -> str:
    taken = {path.stem for path in models_dir().glob(f"{PREFIX}*.pt")}
    n = 1
    while f"{PREFIX}{n}" in taken:
        n += 1
    return f"{PREFIX}{n}"
