"""python manage.py evaluate_world demo|fashion5k [--build] [evaluate's options]: `evaluate` on one evaluation
world's shoppers (benchmarks.worlds). --build imports and simulates the world first when the database lacks it
(keep fashion5k in its own database: VITRINE_DATABASE_NAME=vitrine_fashion5k)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from benchmarks.worlds import world_build, world_shopper_ids


class Command(BaseCommand):
    help = "Evaluate the recommender on one evaluation world's shoppers (demo or fashion5k)."

    def add_arguments(self, parser):
        parser.add_argument("world", choices=["demo", "fashion5k"])
        parser.add_argument("--build", action="store_true", help="import and simulate the world if missing")
        parser.add_argument("--json", action="store_true", help="end with one JSON line")
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--max-shoppers", type=int, default=None)
        parser.add_argument("--learned", action="store_true", help="the learned ranker beside every source")
        parser.add_argument("--train-cuts", type=int, default=3)

    def handle(self, *args, world, build, json, k, max_shoppers, learned, train_cuts, verbosity, **options):
        if build:
            world_build(world, log=self.stderr.write)
        user_ids = world_shopper_ids(world)
        if not user_ids:
            raise CommandError(f"this database has no {world} shoppers (use --build)")
        call_command("evaluate", shopper_ids=",".join(map(str, user_ids)), json=json, k=k, max_shoppers=max_shoppers,
                     learned=learned, train_cuts=train_cuts, verbosity=verbosity, stdout=self.stdout,
                     stderr=self.stderr)
