"""bench photo --shopper-photos PATH: search the bench catalogue with real shoppers' phone photos.

In: the scratch catalogue bench photo built (leaf category = articleType, embedded by the real pipeline), a
shopper-photos folder (``<class>/*.jpg``; a folder holding ``validation/`` is read there, never ``train/``).
Each photo goes through the real ``photo_search`` (safe decode, encode, nearest SQL, category vote; for a trained
encoder version also the predicted-category prior, measured here with and without it).
Out: {"photos", "hit_at_10" (share of the top 10 of the right kind, recommender.embeddings.trained.labels),
"any_at_10", "success_at_1", "category_accuracy" (the vote names a right category; "not sure" counts as wrong),
"per_class": {...}, and ``*_no_prior`` beside them when a prior was applied}.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recommender.encoder_training.data import shopper_photos
from recommender.embeddings.trained.labels import SHOPPER_CLASSES
from recommender.search.photo import photo_search
from shop.catalog.models import Category, Product


def measure(*, folder: Path, encoder: str, log) -> dict:
    folder = Path(folder)
    photos = shopper_photos(folder / "validation" if (folder / "validation").is_dir() else folder)
    photos = [photo for photo in photos if photo.shopper_class in SHOPPER_CLASSES]
    if not photos:
        return {"photos": 0}
    names = dict(Product.objects.values_list("pk", "category__name"))
    category_names = dict(Category.objects.values_list("pk", "name"))
    log(f"{len(photos)} shopper photos through photo_search")
    result = {}
    for label, prior in (("", True), ("_no_prior", False)):
        rows: dict[str, dict[str, list[float]]] = {}
        applied = False
        for photo in photos:
            found = photo_search(source=Path(photo.path).read_bytes(), encoder=encoder, k=10, prior=prior)
            applied |= found.prior_applied
            right = set(SHOPPER_CLASSES[photo.shopper_class])
            top = [names.get(pid) in right for pid, _ in found.products[:10]]
            voted = category_names.get(found.vote.category_id) if found.vote.category_id else None
            row = rows.setdefault(photo.shopper_class, {"hit": [], "any": [], "first": [], "vote": []})
            row["hit"].append(float(np.mean(top)) if top else 0.0)
            row["any"].append(float(any(top)))
            row["first"].append(float(bool(top) and top[0]))
            row["vote"].append(float(voted in right))
        if label and not applied:  # no prior exists for this encoder: one pass says it all
            result.update(_figures(rows))
            result["prior"] = False
            break
        result.update({f"{key}{label}": value for key, value in _figures(rows).items()})
        result["prior"] = True
    return result


def _figures(rows: dict[str, dict[str, list[float]]]) -> dict:
    every = {key: [v for row in rows.values() for v in row[key]] for key in ("hit", "any", "first", "vote")}
    return {
        "photos": len(every["hit"]),
        "hit_at_10": round(float(np.mean(every["hit"])), 4),
        "any_at_10": round(float(np.mean(every["any"])), 4),
        "success_at_1": round(float(np.mean(every["first"])), 4),
        "category_accuracy": round(float(np.mean(every["vote"])), 4),
        "per_class": {name: {"photos": len(row["hit"]), "hit_at_10": round(float(np.mean(row["hit"])), 4),
                             "success_at_1": round(float(np.mean(row["first"])), 4),
                             "category_accuracy": round(float(np.mean(row["vote"])), 4)}
                      for name, row in sorted(rows.items())},
    }
