"""python manage.py learn_projection [--json] [--encoder lite0] [--shrinkage 0.2]

Learns a linear projection of the encoder's product vectors from the catalogue's own categories (regularised LDA,
see recommender.vectors.projection): from every active product that has a ready vector under the encoder and a
category, the projection learns which directions of the image vectors separate the categories (on an imported
fashion catalogue, the articleTypes). Nothing is learned from interactions, names or text.

First it measures: fitted on the training half only (a stable hash of each product's slug), P@10 of same-category
neighbours on the held-out half, raw and projected vectors side by side on exactly those products. Then it refits
on every categorised product and stores that projection (VisualProjection) for serving. With --json the last line
is the held-out measurement as JSON.
"""

import json as _json
import time

from django.core.management.base import BaseCommand, CommandError

from recommender.vectors.projection import SHRINKAGE
from recommender.evaluation.projection import projection_learn
from recommender.vectors.projection_store import SOURCE_ENCODER


class Command(BaseCommand):
    help = "Learn the visual projection from the catalogue's categories; print its held-out P@10."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="end with one JSON line")
        parser.add_argument("--encoder", default=SOURCE_ENCODER, help="source encoder of the product vectors")
        parser.add_argument("--shrinkage", type=float, default=SHRINKAGE,
                            help="within-category covariance shrinkage in [0, 1]")

    def handle(self, *args, json: bool, encoder: str, shrinkage: float, verbosity, **options):
        if not 0 <= shrinkage <= 1:
            raise CommandError("--shrinkage must lie in [0, 1]")
        started = time.monotonic()
        try:
            row = projection_learn(encoder=encoder, shrinkage=shrinkage)
        except ValueError as error:
            raise CommandError(str(error)) from error
        summary = {**row.held_out, "projection": row.pk, "dims": [row.output_dim, row.input_dim],
                   "fitted_on_products": row.products, "fitted_on_categories": row.categories,
                   "seconds": round(time.monotonic() - started, 1)}
        if verbosity:
            self.stdout.write(
                f"{row}: held out {summary['held_out_products']} products (fitted on {summary['train_products']}), "
                f"P@10 {summary['p_at_10']} projected vs {summary['p_at_10_raw']} raw; "
                f"stored projection #{row.pk} refitted on {row.products} products in {row.categories} categories"
            )
        if json:
            self.stdout.write(_json.dumps(summary))
