"""Evaluation runs as recorded work: the command, the Celery task and the dashboard all go through here.

`evaluation_run_execute(run_id=...)` runs the ranking (or visual) evaluation for an `EvaluationRun` row, updating
its step and progress as it goes (the dashboard polls them), then stores the results and the chart's path.
Hybrid weights compared: the tuned ones (RecommenderSettings) when saved, and the defaults (RECOMMENDER["WEIGHTS"]).
"""

from __future__ import annotations

from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.evaluation.learned import evaluate_learned
from recommender.evaluation.report import report_write
from recommender.evaluation.runner import evaluate
from recommender.evaluation.visual import visual_evaluate
from recommender.models import EvaluationKind, EvaluationRun
from recommender.recommend.weights import tuned_weights


def weight_sets() -> dict[str, dict[str, float]]:
    default = dict(recommender_setting("WEIGHTS"))
    tuned = tuned_weights()
    if tuned:
        return {"tuned": {**default, **tuned}, "default": default}
    return {"default": default}


def evaluation_run_start(*, kind: str = EvaluationKind.RANKING, k: int = 10) -> EvaluationRun:
    return EvaluationRun.objects.create(kind=kind, k=k, step="queued")


def evaluation_run_execute(*, run_id: int, max_shoppers: int | None = None, learned: bool = False,
                           user_ids: set[int] | None = None, train_cuts: int = 3) -> EvaluationRun:
    """`learned`: every source, the blends and the learned ranker on the later period (evaluation.learned);
    `user_ids`: only these shoppers (a world's)."""
    run = EvaluationRun.objects.get(pk=run_id)

    def progress(step: str, fraction: float) -> None:
        # A separate UPDATE outside the evaluation's (rolled-back) transaction would need another connection;
        # progress is written on this connection, so it is visible once the evaluation commits or rolls back.
        # The cache carries the live figure for the dashboard meanwhile.
        from django.core.cache import cache

        cache.set(f"recommender:evaluation:{run_id}", {"step": step, "progress": round(fraction, 3)}, 3600)

    try:
        progress("starting", 0.0)
        if run.kind == EvaluationKind.VISUAL:
            result = visual_evaluate(k=run.k)
        elif learned:
            result = evaluate_learned(k=run.k, weights=weight_sets(), user_ids=user_ids, train_cuts=train_cuts,
                                      max_shoppers=max_shoppers, progress=progress)
        else:
            result = evaluate(k=run.k, weights=weight_sets(), max_shoppers=max_shoppers, progress=progress,
                              user_ids=user_ids)
        json_path, chart = report_write(result, name=f"evaluation-{run.kind}")
        run.results, run.chart = result, chart or ""
        run.results["report"] = json_path
        run.step, run.progress = "done", 1.0
    except Exception as error:
        run.error, run.step = repr(error)[:2000], "failed"
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
        progress(run.step, run.progress)
    return run
