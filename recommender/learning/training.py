"""One training run: fit both learned models, measure them on the later period, store a version, promote or not.

In: a seed, how many earlier periods to fit on, k, optional LightGBM overrides. Out: the new `RankerVersion`.

1. Inside a rolled-back transaction (`evaluation.cuts.periods`): the later period (each shopper's latest buying
   session) is hidden; the ranker is fitted on the earlier periods' groups (its hyper-parameters chosen on the
   earliest-but-one, see `learning.ltr.ranker_select`), over features whose blend column uses weights tuned on the
   validation period (`learning.feature_blend`, stored with the version); on the later period the new ranker, the
   serving one (if any; given the same freshly fitted factors) and the linear blend (the weights the shop serves)
   are scored: NDCG@k, hit rate, coverage.
2. Too little history (fewer than MIN_SHOPPERS shoppers with an earlier buying session): nothing is fitted, a
   `skipped` row records why, and the linear blend keeps serving.
3. The factor model that will serve is refitted on the whole log (after the rollback); the ranker is the one
   measured. The version serves only when its NDCG@k beats the serving one's on the later period (the blend's when
   no version serves); otherwise it stays in the shadow, with the figures that say why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import transaction
from django.utils import timezone

from recommender.collaborative.data import factors_fit_on_log
from recommender.evaluation.cuts import periods
from recommender.learning.feature_blend import feature_blend_apply, feature_blend_tune, states_blend_set
from recommender.learning.ltr import PARAMS, importance, period_score, ranker_select
from recommender.models import RankerStatus, RankerVersion
from recommender.recommend.ranker import booster_from_text, serving_version_forget
from recommender.recommend.weights import recommendation_weights
from shop.catalog.models import Product

# Below this many shoppers with a buying session before the later one, a model is not fitted. Measured on seeded
# samples of the demo world (docs/learned-ranking.md): with 25 and 49 such shoppers the learned ranker's lead over
# the blend flipped sign between samples (noise); from 88 on it held. Above the floor, promotion still decides.
MIN_SHOPPERS = 80
TRAIN_CUTS = 3
# Shoppers whose requests are gathered per period (a sample fixed by the seed): gathering costs about one feed per
# shopper and period, the model fits are cheap beside it (python manage.py bench train).
MAX_TRAIN_SHOPPERS = 2000


def ranker_version_promote(*, version: RankerVersion, reason: str) -> RankerVersion:
    with transaction.atomic():
        RankerVersion.objects.select_for_update().filter(status=RankerStatus.SERVING).update(
            status=RankerStatus.RETIRED)
        version.status, version.promoted_at, version.reason = RankerStatus.SERVING, timezone.now(), reason
        version.save(update_fields=["status", "promoted_at", "reason"])
    transaction.on_commit(serving_version_forget)
    serving_version_forget()
    return version


def _fit_and_score(found, figures: dict, *, seed, params, k, catalogue, serving) -> None:
    served = recommendation_weights()
    blend = feature_blend_tune(found.validation, start=served, catalogue=catalogue, k=k)
    train = feature_blend_apply(test=found.test, earlier=found.earlier, weights=blend)
    figures["feature_blend"] = blend
    booster, figures["selection"] = ranker_select(train, seed=seed, params=params)
    figures["candidate"] = period_score(found.test, k=k, catalogue_size=catalogue, model=booster)
    figures["blend"] = period_score(found.test, k=k, catalogue_size=catalogue, weights=served)
    if serving is not None and serving.ranker:
        # The serving version's features as it serves them: with the blend it was trained with.
        states_blend_set([found.test], (serving.params or {}).get("blend_weights") or served)
        figures["serving"] = {**period_score(found.test, k=k, catalogue_size=catalogue,
                                             model=booster_from_text(serving.ranker)), "version": serving.pk}
        states_blend_set([found.test], blend)
    figures["importance"] = importance(booster)
    figures["_booster"] = booster


def ranker_train(*, seed: int = 7, train_cuts: int = TRAIN_CUTS, k: int = 10, params: Mapping | None = None,
                 min_shoppers: int = MIN_SHOPPERS, user_ids: set[int] | None = None,
                 progress: Callable[[str, float], None] | None = None) -> RankerVersion:
    progress = progress or (lambda step, fraction: None)
    settings = {"lightgbm": {**PARAMS, **(params or {})}, "train_cuts": train_cuts, "k": k}
    serving = RankerVersion.objects.filter(status=RankerStatus.SERVING).first()
    catalogue = Product.objects.filter(is_active=True).count()
    with periods(train_cuts=train_cuts, k=k, seed=seed, user_ids=user_ids, max_shoppers=MAX_TRAIN_SHOPPERS,
                 progress=progress) as found:
        figures = {"period": found.test.period, "shoppers": len(found.test.split.cuts),
                   "train_shoppers": found.train_shoppers, "train_groups": len(found.train),
                   "train_periods": found.train_periods, "k": k}
        enough = found.train_shoppers >= min_shoppers
        if not enough:
            reason = (f"too little history: {found.train_shoppers} shoppers with a buying session before the later "
                      f"period, {min_shoppers} needed; the linear blend serves")
        else:
            progress("fitting", 0.9)
            _fit_and_score(found, figures, seed=seed, params=params, k=k, catalogue=catalogue, serving=serving)
    if not enough:  # recorded after the rollback, which would undo it
        return RankerVersion.objects.create(status=RankerStatus.SKIPPED, seed=seed, params=settings,
                                            figures=figures, reason=reason)
    booster = figures.pop("_booster")
    settings["blend_weights"] = figures["feature_blend"]  # what serving computes the blend feature with
    progress("factors", 0.95)
    factors = factors_fit_on_log(seed=seed)
    baseline_name = f"serving version {serving.pk}" if "serving" in figures else "the linear blend"
    baseline = figures["serving"] if "serving" in figures else figures["blend"]
    new, old = figures["candidate"]["ndcg"], baseline["ndcg"]
    version = RankerVersion.objects.create(
        status=RankerStatus.SHADOW, seed=seed, params=settings, figures=figures,
        factors=factors.to_bytes() if factors is not None else None, ranker=booster.model_to_string(),
        reason=f"NDCG@{k} {new:.4f} on the later period does not beat {baseline_name}'s {old:.4f}: kept in the shadow")
    if new > old:
        ranker_version_promote(version=version, reason=f"NDCG@{k} {new:.4f} on the later period beats "
                                                       f"{baseline_name}'s {old:.4f}")
    progress("done", 1.0)
    return version
