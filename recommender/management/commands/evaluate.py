"""python manage.py evaluate [--json] [--k 10] [--visual] [--max-shoppers N]: see recommender.evaluation.

Ranking (default): temporal split, every source alone and the hybrid blend (tuned and default weights), inside a
rolled-back transaction; writes media/reports/evaluation-ranking-*.json and .png and records an EvaluationRun.
--visual: P@10 of same-category neighbours from image vectors alone; with a learned projection (learn_projection)
`p_at_10` is the projected vectors' and `p_at_10_raw` the raw vectors' P@10 on the same held-out products, the
projection refitted without them (see recommender.evaluation.visual).
With --json the last line is the JSON summary.
"""

import json as _json

from django.core.management.base import BaseCommand

from recommender.evaluation.service import evaluation_run_execute, evaluation_run_start
from recommender.models import EvaluationKind

SUMMARY_METRICS = ("ndcg", "precision", "recall", "coverage", "map", "diversity")
VISUAL_SUMMARY = ("products", "p_at_10", "p_at_10_raw", "p_at_10_raw_all", "products_all", "train_products",
                  "projection")


class Command(BaseCommand):
    help = "Offline evaluation of the recommender (held-out purchases and cart additions) or of visual similarity."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="end with one JSON line")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--visual", action="store_true", help="same-category P@10 from image vectors alone")
        parser.add_argument("--max-shoppers", type=int, default=None, help="evaluate at most N shoppers")

    def handle(self, *args, json: bool, k: int, visual: bool, max_shoppers, verbosity, **options):
        kind = EvaluationKind.VISUAL if visual else EvaluationKind.RANKING
        run = evaluation_run_start(kind=kind, k=10 if visual else k)
        run = evaluation_run_execute(run_id=run.pk, max_shoppers=max_shoppers)
        result = run.results
        if visual:
            summary = {key: result[key] for key in VISUAL_SUMMARY if key in result}
        else:
            summary = {"k": result["k"], "sources": {name: {m: v for m, v in metrics.items() if m in SUMMARY_METRICS}
                                                     for name, metrics in result["sources"].items()},
                       "shoppers": result["shoppers"], "hybrid_vs_best_single": result["hybrid_vs_best_single"]}
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


