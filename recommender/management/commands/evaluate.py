"""python manage.py evaluate [--json] [--k 10] [--visual] [--max-shoppers N]: see recommender.evaluation.

Ranking (default): temporal split, every source alone and the hybrid blend (tuned and default weights), inside a
rolled-back transaction; writes media/reports/evaluation-ranking-*.json and .png and records an EvaluationRun.
--visual: P@10 of same-category neighbours from image vectors alone, on the raw vectors and, when compact vectors
serve, on those too (see recommender.evaluation.visual).
--learned: every source (history and collab included), the blends and the learned ranker fitted on earlier buying
sessions, all measured on each shopper's last one (recommender.evaluation.learned).
--shopper-ids 3,17,42: only these shoppers (`manage.py evaluate_world`, from the benchmarks, passes an evaluation
world's shoppers this way).
Every list is ranked without the staff's merchandising rules except `hybrid_merchandised`: the first blend with
them, so `merchandising.ndcg_with_vs_without` says what the rules cost or gain on held-out purchases.
With --json the last line is the JSON summary.
"""

import json as _json

from django.core.management.base import BaseCommand, CommandError

from recommender.evaluation.service import evaluation_run_execute, evaluation_run_start
from recommender.models import EvaluationKind

SUMMARY_METRICS = ("ndcg", "hit_rate", "precision", "recall", "coverage", "map", "diversity")
VISUAL_SUMMARY = ("products", "p_at_10", "p_at_10_raw", "p_at_10_raw_all", "products_all", "train_products",
                  "projection")


class Command(BaseCommand):
    help = "Offline evaluation of the recommender (held-out purchases and cart additions) or of visual similarity."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="end with one JSON line")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--visual", action="store_true", help="same-category P@10 from image vectors alone")
        parser.add_argument("--max-shoppers", type=int, default=None, help="evaluate at most N shoppers")
        parser.add_argument("--learned", action="store_true",
                            help="add the history and collab sources and the learned ranker (later period)")
        parser.add_argument("--shopper-ids", default=None, help="comma-separated user ids: only these shoppers")
        parser.add_argument("--train-cuts", type=int, default=3, help="--learned: earlier sessions to fit on")

    def handle(self, *args, json: bool, k: int, visual: bool, max_shoppers, verbosity, learned, shopper_ids,
               train_cuts, **options):
        user_ids = None
        if shopper_ids is not None:
            try:
                user_ids = [int(part) for part in shopper_ids.split(",") if part.strip()]
            except ValueError:
                raise CommandError("--shopper-ids takes comma-separated user ids, e.g. 3,17,42") from None
            if not user_ids:
                raise CommandError("--shopper-ids names no shopper")
        kind = EvaluationKind.VISUAL if visual else EvaluationKind.RANKING
        run = evaluation_run_start(kind=kind, k=10 if visual else k)
        run = evaluation_run_execute(run_id=run.pk, max_shoppers=max_shoppers, learned=learned, user_ids=user_ids,
                                     train_cuts=train_cuts)
        result = run.results
        if visual:
            summary = {key: result[key] for key in VISUAL_SUMMARY if key in result}
        else:
            summary = {"k": result["k"], "sources": {name: {m: v for m, v in metrics.items() if m in SUMMARY_METRICS}
                                                     for name, metrics in result["sources"].items()},
                       "shoppers": result["shoppers"], "hybrid_vs_best_single": result["hybrid_vs_best_single"]}
            for key in ("learned_vs_best_single", "learned_vs_blend", "merchandising", "importance", "period",
                        "train_groups", "selection"):
                if key in result:
                    summary[key] = result[key]
            if verbosity and not json:
                self._table(result)
        if verbosity:
            self.stdout.write(f"report: {result.get('report')}  chart: {run.chart or '-'}")
        if json:
            self.stdout.write(_json.dumps(summary))
        elif visual:
            self.stdout.write(f"P@10 (same category) over {summary['products']} products: {summary['p_at_10']} "
                              f"(raw vectors: {summary['p_at_10_raw']})")

    def _table(self, result):
        self.stdout.write(f"{result['shoppers']} shoppers, {result['held_out']} held-out items, k={result['k']}")
        self.stdout.write(f"{'source':<16}" + "".join(f"{m:>11}" for m in SUMMARY_METRICS))
        for name, metrics in result["sources"].items():
            self.stdout.write(f"{name:<16}" + "".join(f"{metrics.get(m, 0):>11.4f}" for m in SUMMARY_METRICS))


