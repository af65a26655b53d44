"""python manage.py train_ranker [--seed 7] [--train-cuts 2] [--k 10] [--json]: see recommender.learning.training.

Fits the collaborative factors and the learning-to-rank model on the shop's own history, measures them on the later
period against the serving version and the linear blend, stores a version and promotes it only if it wins.
"""

import json as _json

from django.core.management.base import BaseCommand
from tqdm import tqdm

from recommender.learning.training import TRAIN_CUTS, ranker_train


class Command(BaseCommand):
    help = "Train the collaborative factors and the learned ranker; promote the new version only if it wins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--train-cuts", type=int, default=TRAIN_CUTS,
                            help="earlier buying sessions per shopper to fit on")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="end with one JSON line")

    def handle(self, *args, seed, train_cuts, k, json, verbosity, **options):
        with tqdm(total=100, desc="Training", unit="%", disable=verbosity == 0) as bar:
            def progress(step: str, fraction: float) -> None:
                bar.set_postfix_str(step)
                bar.update(max(int(fraction * 100) - bar.n, 0))

            version = ranker_train(seed=seed, train_cuts=train_cuts, k=k, progress=progress)
        self.stdout.write(f"version {version.pk}: {version.status}. {version.reason}")
        if json:
            self.stdout.write(_json.dumps({"version": version.pk, "status": version.status,
                                           "reason": version.reason, "figures": version.figures}))
