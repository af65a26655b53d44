"""python manage.py import_catalog PATH [--limit N]: see shop.catalog.importer."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shop.catalog.importer import CatalogImportError, catalog_import


class Command(BaseCommand):
    help = "Import products from a Kaggle 'Fashion Product Images' folder (styles.csv + images/)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--limit", type=int, default=None, help="import at most N rows")

    def handle(self, *args, path, limit, verbosity, **options):
        started = time.monotonic()
        with tqdm(desc="Importing", unit="row", disable=verbosity == 0) as bar:
            try:
                report = catalog_import(path=path, limit=limit, on_progress=bar.update)
            except CatalogImportError as error:
                raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"{report.summary()} in {time.monotonic() - started:.1f} s"))
