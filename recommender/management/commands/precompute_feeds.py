"""python manage.py precompute_feeds [--shoppers N] [--days D]: rank and cache the home feeds of recently active
shoppers now, in this process (the beat queues the same work to the workers every FEED_BATCH_INTERVAL)."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recommender.recommend.feed_batch import active_shoppers, feeds_precompute


class Command(BaseCommand):
    help = "Precompute the home feeds of the most recently active shoppers into the feed cache."

    def add_arguments(self, parser):
        parser.add_argument("--shoppers", type=int, default=None, help="at most this many (FEED_BATCH_SHOPPERS)")
        parser.add_argument("--days", type=float, default=None, help="active within this many days (FEED_BATCH_DAYS)")

    def handle(self, *args, shoppers, days, verbosity: int, **options):
        if shoppers is not None and shoppers < 0:
            raise CommandError("--shoppers must be 0 or more")
        if days is not None and days <= 0:
            raise CommandError("--days must be above 0")
        picked = active_shoppers(limit=shoppers, days=days)
        started = time.perf_counter()
        try:
            with tqdm(total=len(picked), desc="Feeds", unit="shopper", disable=verbosity == 0) as bar:
                report = feeds_precompute(picked, progress=bar.update)
        except Exception as error:  # most often a stopped Redis: say so plainly, not as a traceback
            raise CommandError(f"feeds not precomputed: {error}") from error
        seconds = time.perf_counter() - started
        self.stdout.write(f"{report.cached} feeds cached, {report.stale} skipped (the shopper acted meanwhile), "
                          f"{report.gone} users gone, in {seconds:.1f} s")
