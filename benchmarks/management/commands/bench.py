"""python manage.py bench NAME [--json] [options]: hand-run benchmarks; the last line is a JSON object."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommender.conf import recommender_setting

FASHION_IMAGES = Path(settings.BASE_DIR).parent / "shared" / "data" / "fashion-5k" / "images"


class Command(BaseCommand):
    help = "Run a benchmark: embed, signals, photo, similar, feed, health, train, impressions."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=["embed", "signals", "photo", "similar", "feed", "health", "train",
                                             "impressions"])
        parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
        parser.add_argument("--images", type=Path, default=FASHION_IMAGES)
        parser.add_argument("--limit", type=int, default=1000)
        parser.add_argument("--encoder", default=None)
        parser.add_argument("--queries", type=int, default=200,
                            help="photo: searches to time; health: page loads; impressions: loads per page and setting")
        parser.add_argument("--events", type=int, default=1_000_000, help="signals: synthetic interactions")
        parser.add_argument("--products", type=int, default=None,
                            help="synthetic products: signals 20,000, health 5,000, similar, feed and train 100,000 "
                                 "unless given")
        parser.add_argument("--shoppers", type=int, default=50_000, help="signals: synthetic shoppers")
        parser.add_argument("--seconds", type=float, default=20.0, help="feed: load duration")
        parser.add_argument("--concurrency", type=int, default=4, help="feed: simultaneous keep-alive clients")

    def handle(self, *args, name, json: bool, images, limit, encoder, events, products, shoppers, queries, **options):
        if products is None:
            products = {"signals": 20_000, "health": 5_000, "impressions": 2_000}.get(name, 100_000)
        log = (lambda message: self.stderr.write(message)) if json else self.stdout.write
        if name == "embed":
            from benchmarks import embed

            if not images.is_dir():
                raise CommandError(f"{images} is not a folder of images (use --images DIR)")
            result = embed.run(
                images_dir=images, limit=limit, encoder_name=encoder or recommender_setting("ENCODER"), log=log
            )
        elif name == "signals":
            from benchmarks import signals

            result = signals.run(events=events, products=products, shoppers=shoppers, log=log)
        elif name == "photo":
            from benchmarks import photo

            if not (images.parent / "styles.csv").is_file():
                raise CommandError(f"{images.parent} has no styles.csv (use --images DATA_DIR/images)")
            result = photo.run(
                data_dir=images.parent, limit=limit, queries=queries,
                encoder_name=encoder or recommender_setting("ENCODER"), log=log,
            )
        elif name == "similar":
            from benchmarks import similar

            result = similar.run(products=products, queries=queries, log=log)
        elif name == "health":
            from benchmarks import health

            result = health.run(products=products, loads=min(queries, 50), log=log)
        elif name == "train":
            from benchmarks import train

            result = train.run(events=events, products=products, shoppers=shoppers, log=log)
        elif name == "feed":
            from benchmarks import feed

            result = feed.run(products=products, events=events, seconds=options["seconds"],
                              concurrency=options["concurrency"], log=log)
        elif name == "impressions":
            from benchmarks import impressions

            result = impressions.run(products=products, events=min(events, 200_000), loads=queries, log=log)
        self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))


def _dumps(result) -> str:
    return json.dumps(result)
