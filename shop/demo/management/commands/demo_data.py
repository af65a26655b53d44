"""python manage.py demo_data [--products N] [--shoppers M] [--seed S] [--if-empty]: see shop.demo.

`make run` calls it with --if-empty, so a fresh checkout opens on a shop that looks alive while
an existing shop (imported, or already demo-filled) is left exactly as it is.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shop.catalog.models import Product
from shop.demo.catalogue import demo_catalogue_create
from shop.demo.shoppers import demo_shoppers_create


class Command(BaseCommand):
    help = "Fill the shop with a generated demo catalogue (rendered photos, no outside data) and demo shoppers."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=600, help="how many products (default 600)")
        parser.add_argument("--shoppers", type=int, default=300, help="how many simulated shoppers (default 300)")
        parser.add_argument("--seed", type=int, default=7, help="the same seed builds the same shop (default 7)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the shop has any product")

    def handle(self, *args, products, shoppers, seed, if_empty, verbosity, **options):
        if products < 0 or shoppers < 0:
            raise CommandError("--products and --shoppers must be zero or more")
        if if_empty and Product.objects.exists():
            if verbosity:
                self.stdout.write("The shop already has products; demo data not added.")
            return
        with tqdm(total=products, desc="Demo products", unit="product", disable=verbosity == 0) as bar:
            summary = demo_catalogue_create(products=products, seed=seed, on_progress=bar.update)
        self.stdout.write(self.style.SUCCESS(str(summary)))
        if shoppers:
            with tqdm(total=shoppers, desc="Demo shoppers", unit="shopper", disable=verbosity == 0) as bar:
                report = demo_shoppers_create(shoppers=shoppers, seed=seed, on_progress=bar.update)
            self.stdout.write(self.style.SUCCESS(str(report)))
