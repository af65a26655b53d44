"""python manage.py compact_vectors [--json] [--encoder lite0] [--dims 256]

Fits the compact serving vectors now (recommender.vectors.compact): PCA on every product vector of the encoder,
then every product's compact row rewritten in one transaction, with its HNSW index. The beat does the same on its
own once the catalogue is big enough (`COMPACT_MIN_PRODUCTS`) or has doubled; this command is for an operator who
changed `COMPACT_DIMS` or wants it now. With --json the last line is {"encoder", "products", "dims",
"explained_variance", "seconds"}.
"""

import json as _json
import time

from django.core.management.base import BaseCommand, CommandError

from recommender.conf import recommender_setting
from recommender.vectors.compact import compact_name
from recommender.vectors.compact_store import compact_dims, compact_fit


class Command(BaseCommand):
    help = "Fit the compact (PCA) serving vectors of an encoder and rewrite them for every product."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="end with one JSON line")
        parser.add_argument("--encoder", default=None, help="source encoder (default: RECOMMENDER['ENCODER'])")
        parser.add_argument("--dims", type=int, default=None, help="width (default: RECOMMENDER['COMPACT_DIMS'])")

    def handle(self, *args, json: bool, encoder: str | None, dims: int | None, verbosity, **options):
        encoder = encoder or recommender_setting("ENCODER")
        dims = compact_dims() if dims is None else dims
        if dims <= 0:
            raise CommandError("compact vectors are off: set RECOMMENDER['COMPACT_DIMS'] or pass --dims N")
        started = time.monotonic()
        try:
            row = compact_fit(source=encoder, dims=dims)
        except ValueError as error:
            raise CommandError(str(error)) from error
        summary = {"encoder": compact_name(encoder, dims), "products": row.products, "dims": [dims, row.input_dim],
                   "explained_variance": row.held_out["explained_variance"],
                   "seconds": round(time.monotonic() - started, 1)}
        if verbosity:
            self.stdout.write(f"{summary['encoder']}: {row.products} products, "
                              f"{100 * summary['explained_variance']:.1f}% of the variance kept, {summary['seconds']} s")
        if json:
            self.stdout.write(_json.dumps(summary))
