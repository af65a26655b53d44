"""Shop encoder versions: register a trained one, measure it beside the serving encoder, promote it, roll back.

In: a version name with a weights file (train_encoder wrote it), the catalogue (held-out half by the sha256 rule),
shopper-photos/validation when it is there. Out: ``EncoderVersion`` rows.
- ``version_register``: both encoders embed the same held-out products and shopper photos (the served path:
  ``get_encoder``, OpenVINO where installed); figures stored side by side; promoted when ``promotion_decision`` says so.
- ``promotion_decision``: it must beat the serving encoder on held-out P@10, keep own photo first >= OWN_PHOTO_MIN,
  lose at most COLOUR_DROP_MAX of colour agreement, and not lose shopper-photo hit@10.
- ``version_promote``: the version serves new vectors; the workers re-embed the catalogue (reconcile), and until
  it covers the catalogue the old vectors keep answering (``store.encoder_for_serving`` picks the one with most).
- ``version_rollback``: the previous encoder is the configured one again at once; its vectors were never deleted.
"""

from __future__ import annotations

import random
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from recommender import cache
from recommender.conf import recommender_setting
from recommender.embeddings.encoders import get_encoder
from recommender.embeddings.trained import served
from recommender.embeddings.trained.paths import models_dir, weights_file, weights_stamp
from recommender.encoder_training import evaluate
from recommender.encoder_training.data import catalogue_items, shopper_photos, split
from recommender.models import EncoderStatus, EncoderVersion
from recommender.models.encoder_version import promoted_cache_key

# Sent after a promotion or a rollback commits: the catalogue needs vectors of the encoder now serving.
encoder_serving_changed = Signal()

PREFIX = "lite0-shop-"
OWN_PHOTO_MIN = 0.98
COLOUR_DROP_MAX = 0.02
EVAL_PRODUCTS = 1000  # held-out products both encoders embed (queries and pool); None = all of them
OWN_PHOTO_QUERIES = 300


class PromotionRefused(Exception):
    pass


def default_shopper_photos() -> Path | None:
    """RECOMMENDER["SHOPPER_PHOTOS"], else ../shared/data/shopper-photos beside the project when it is there."""

    configured = recommender_setting("SHOPPER_PHOTOS")
    shared = Path(settings.BASE_DIR).parent / "shared" / "data" / "shopper-photos"
    candidates = [Path(configured)] if configured else [shared]
    return next((path for path in candidates if (path / "validation").is_dir()), None)


def next_version_name() -> str:
    taken = {path.stem for path in models_dir().glob(f"{PREFIX}*.pt")}
    taken |= set(EncoderVersion.objects.values_list("name", flat=True))
    n = 1
    while f"{PREFIX}{n}" in taken:
        n += 1
    return f"{PREFIX}{n}"


def serving_encoder() -> str:
    return recommender_setting("ENCODER")


def measure(encoder_name: str, *, held, photos, seed: int = 7, products: int | None = EVAL_PRODUCTS,
            own_photo_queries: int = OWN_PHOTO_QUERIES, progress=None) -> dict:
    """The figures of one encoder on a fixed sample of the held-out half (and the shopper photos, pool = that sample)."""

    sample = _sample(held, products=products, seed=seed)
    encoder = get_encoder(encoder_name)
    if progress:
        progress("measure", 0.0, {"encoder": encoder_name, "products": len(sample), "photos": len(photos)})
    vectors = evaluate.embed_paths(encoder.embed, [item.path for item in sample])
    rows = evaluate.own_photo_rows(len(sample), queries=own_photo_queries)
    queries = evaluate.embed_paths_images(encoder.embed, [lambda i=i: evaluate.query_copy(sample[i].path, i)
                                                          for i in rows])
    figures = evaluate.catalogue_figures_from(vectors, sample, queries=queries, rows=rows)
    if photos:
        photo_vectors = evaluate.embed_paths(encoder.embed, [photo.path for photo in photos])
        predicted = None
        if served.available(encoder_name):
            predicted = evaluate.predicted_for_paths(encoder_name, [photo.path for photo in photos])
        figures.update(evaluate.shopper_figures_from(photo_vectors, vectors, sample, photos, predicted=predicted))
    figures["encoder"] = encoder_name
    return figures


def measure_cached(encoder_name: str, *, held, photos, products: int | None = EVAL_PRODUCTS, progress=None) -> dict:
    """``measure`` for an encoder whose weights do not change (a built-in, or a finished version), kept in a file keyed
    by exactly what it was measured on: a serving encoder is measured once, not at every candidate's registration."""
    import hashlib
    import json

    sample = _sample(held, products=products, seed=7)
    key = hashlib.sha256(json.dumps([encoder_name, [item.path for item in sample], [p.path for p in photos],
                                     OWN_PHOTO_QUERIES, weights_stamp(encoder_name)]).encode()).hexdigest()[:16]
    path = models_dir() / "figures" / f"{encoder_name}-{key}.json"
    if path.is_file():
        return json.loads(path.read_text())
    figures = measure(encoder_name, held=held, photos=photos, products=products, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures))
    return figures


def _sample(held, *, products: int | None, seed: int):
    if products is None or len(held) <= products:
        return list(held)
    picked = sorted(random.Random(seed).sample(range(len(held)), products))
    return [held[i] for i in picked]


def promotion_decision(candidate: dict, serving: dict) -> tuple[bool, str]:
    """(promote?, why) from the two encoders' figures on the same products and photos."""
    failures, notes = [], []
    if not candidate.get("p_at_10", 0) > serving.get("p_at_10", 0):
        failures.append(f"held-out P@10 {candidate.get('p_at_10')} does not beat the serving {serving.get('p_at_10')}")
    if candidate.get("own_photo_first", 0) < OWN_PHOTO_MIN:
        failures.append(f"own photo first {candidate.get('own_photo_first')} < {OWN_PHOTO_MIN}")
    drop = serving.get("colour_agreement", 0) - candidate.get("colour_agreement", 0)
    if drop > COLOUR_DROP_MAX:
        failures.append(f"colour agreement falls by {drop:.3f} (> {COLOUR_DROP_MAX})")
    if serving.get("shopper_hit_at_10") is not None:
        if candidate.get("shopper_hit_at_10") is None:
            failures.append("shopper-photo hit@10 not measured for the candidate")
        elif candidate["shopper_hit_at_10"] < serving["shopper_hit_at_10"]:
            failures.append(f"shopper-photo hit@10 {candidate['shopper_hit_at_10']} is worse than "
                            f"{serving['shopper_hit_at_10']}")
    else:
        notes.append("no shopper photos to measure hit@10 on")
    if failures:
        return False, "Not promoted: " + "; ".join(failures) + "."
    return True, ("Promoted: beats the serving encoder on held-out P@10 "
                  f"({candidate['p_at_10']} vs {serving['p_at_10']}) and keeps the other rules"
                  + (f" ({'; '.join(notes)})" if notes else "") + ".")


def version_register(*, name: str, config=None, curve=None, promote: bool = True, progress=None,
                     products: int | None = EVAL_PRODUCTS) -> EncoderVersion:
    from dataclasses import asdict, is_dataclass


    if not weights_file(name).is_file():
        raise ValueError(f"no weights for encoder version {name!r} at {weights_file(name)}")
    baseline = serving_encoder()
    if baseline == name:
        raise ValueError(f"{name} is already the serving encoder")
    _, held = split(catalogue_items())
    if len(held) < 2:
        raise ValueError("too few held-out products with photos to measure on")
    folder = default_shopper_photos()
    photos = shopper_photos(folder / "validation") if folder else []
    figures = measure(name, held=held, photos=photos, products=products, progress=progress)
    baseline_figures = measure_cached(baseline, held=held, photos=photos, products=products, progress=progress)
    row, _ = EncoderVersion.objects.update_or_create(name=name, defaults={
        "status": EncoderStatus.CANDIDATE, "baseline_encoder": baseline, "figures": figures,
        "baseline_figures": baseline_figures,
        "config": asdict(config) if is_dataclass(config) else dict(config or {}),
        "curve": list(curve or []),
        "weights": str(weights_file(name).relative_to(Path(settings.MEDIA_ROOT))),
    })
    ok, reason = promotion_decision(figures, baseline_figures)
    row.reason = reason
    row.save(update_fields=["reason"])
    _serving_changed(reembed=False)  # nothing serves differently yet; the health page's panel shows the new row
    if ok and promote:
        version_promote(row.pk)
        row.refresh_from_db()
    return row


def version_promote(version_id: int, *, force: bool = False) -> EncoderVersion:
    """Serve this version for new vectors; re-embed in the background. Refused unless its figures won (or force)."""
    with transaction.atomic():
        row = EncoderVersion.objects.select_for_update().get(pk=version_id)
        if row.status == EncoderStatus.SERVING:
            return row
        ok, reason = promotion_decision(row.figures, row.baseline_figures)
        if not ok and not force:
            raise PromotionRefused(reason)
        now = timezone.now()
        EncoderVersion.objects.filter(status=EncoderStatus.SERVING).update(status=EncoderStatus.RETIRED, retired_at=now)
        row.status, row.promoted_at, row.retired_at = EncoderStatus.SERVING, now, None
        row.save(update_fields=["status", "promoted_at", "retired_at"])
    _serving_changed(reembed=True)
    return row


def version_rollback() -> str:
    """Back to the encoder before the serving version (a retired version, else the configured one); its name."""
    with transaction.atomic():
        current = EncoderVersion.objects.select_for_update().filter(status=EncoderStatus.SERVING).first()
        if current is None:
            raise PromotionRefused("no trained encoder is serving: the configured encoder already is")
        previous = (EncoderVersion.objects.filter(status=EncoderStatus.RETIRED, promoted_at__isnull=False)
                    .exclude(pk=current.pk).order_by("-promoted_at").first())
        now = timezone.now()
        current.status, current.retired_at = EncoderStatus.ROLLED_BACK, now
        current.save(update_fields=["status", "retired_at"])
        if previous is not None:
            previous.status, previous.retired_at = EncoderStatus.SERVING, None
            previous.save(update_fields=["status", "retired_at"])
    _serving_changed(reembed=True)  # images added meanwhile lack vectors of the encoder going back
    return serving_encoder()


def _serving_changed(*, reembed: bool) -> None:
    """Forget the cached serving encoder everywhere (Redis), then ask for what the new one lacks: after the commit,
    `encoder_serving_changed` (an interface listens and queues the re-embedding; nothing here knows about tasks)."""
    # A stopped Redis holds nothing stale: the helper's False is the same as done.
    cache.delete_many([cache.SERVING_ENCODER, promoted_cache_key(), cache.HEALTH_ENCODERS])
    if reembed:
        transaction.on_commit(lambda: encoder_serving_changed.send(sender=None))
