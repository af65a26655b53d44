"""python manage.py tune_weights [--method grid|ascent] [--k 10] [--seed 7] [--rounds 3] [--dry-run] [--no-test]

Searches the blend weights on the validation split (each shopper's buying session before the held-out test one;
the test sessions are hidden first, so no test item is ever seen), stores the best in RecommenderSettings (admin:
Recommender settings), then reports tuned against default weights on the test split. Last line: JSON.
"""

import json

from django.core.management.base import BaseCommand

from recommender.conf import recommender_setting
from recommender.evaluation.runner import evaluate, prepared
from recommender.evaluation.tuning import grid_search, weights_search
from recommender.recommend.weights import tuned_weights_save


class Command(BaseCommand):
    help = "Tune the recommender's blend weights on a validation split and store them."

    def add_arguments(self, parser):
        parser.add_argument("--method", choices=["grid", "ascent"], default="grid",
                            help="grid: a coarse grid over three weights; ascent: coordinate ascent over all of them "
                                 "(it overfits the demo data's validation split, see recommender.evaluation.tuning)")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--dry-run", action="store_true", help="search and report, store nothing")
        parser.add_argument("--no-test", action="store_true", help="skip the test-split comparison")

    def handle(self, *args, method, k, seed, rounds, dry_run, no_test, verbosity, **options):
        default = dict(recommender_setting("WEIGHTS"))
        with prepared(k=k, split="validation") as ready:
            start_score = ready.score(default, diversity=False)["ndcg"]
            if method == "grid":
                best, best_score, log = grid_search(ready, start=default)
            else:
                best, best_score, log = weights_search(ready, start=default, seed=seed, rounds=rounds)
            shoppers = len(ready.split.cuts)
        if verbosity:
            for line in log:
                self.stdout.write(line)
        how = "a coarse grid" if method == "grid" else f"coordinate ascent (seed {seed})"
        notes = (f"tune_weights: {how} on the validation split, {shoppers} shoppers; "
                 f"validation NDCG@{k} {start_score:.4f} (defaults) -> {best_score:.4f}")
        if not dry_run:
            tuned_weights_save(weights=best, notes=notes)
        summary = {"k": k, "method": method, "weights": best, "validation": {"shoppers": shoppers, "default_ndcg": round(start_score, 4),
                                                            "tuned_ndcg": round(best_score, 4)}}
        if not no_test:
            test = evaluate(k=k, weights={"tuned": best, "default": default})
            summary["test"] = {label: test["sources"][f"hybrid_{label}"] for label in ("tuned", "default")}
            summary["test"]["best_single"] = max(
                (m["ndcg"], name) for name, m in test["sources"].items() if not name.startswith("hybrid"))
        self.stdout.write(json.dumps(summary))
