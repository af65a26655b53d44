"""python manage.py train_encoder [--name lite0-shop-N] [--minutes 40] [--seed 7] [--device cpu|cuda] ...

Fine-tunes Lite0 on the shop's catalogue (recommender.encoder_training.loop), then registers the version: measured
on the held-out half against the serving encoder, promoted only if the rules say so
(recommender.encoder_training.versions). A second run with the same --name resumes from its checkpoint.
"""

import json as _json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommender.encoder_training import versions
from recommender.encoder_training.loop import TrainConfig, train_run


class Command(BaseCommand):
    help = "Train a shop encoder version on the catalogue (time budget, resumable), measure it, promote it if it wins."

    def add_arguments(self, parser):
        parser.add_argument("--name", dest="version", default=None, help="version name (default: the next lite0-shop-N)")
        parser.add_argument("--minutes", type=float, default=40.0, help="time budget in minutes, all runs together")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
        parser.add_argument("--shopper-photos", type=Path, default=None,
                            help="a shopper-photos folder: train/ is trained on, validation/ only measured")
        parser.add_argument("--limit", type=int, default=None, help="train on the first N products only")
        parser.add_argument("--cut", type=int, default=None, help="first trained block (the ones below stay frozen)")
        parser.add_argument("--views", type=int, default=None, help="stored views per product (1 plain + phone-like)")
        parser.add_argument("--eval-products", type=int, default=None,
                            help="held-out products both encoders are measured on (default 1,000; 0 = all)")
        parser.add_argument("--no-register", action="store_true", help="train only; do not measure or promote")
        parser.add_argument("--no-promote", action="store_true", help="measure and register, never promote")
        parser.add_argument("--json", action="store_true", help="end with one JSON line")

    def handle(self, *args, version, minutes, seed, device, shopper_photos, limit, cut, views, eval_products,
               no_register, no_promote, json, verbosity, **options):
        if minutes <= 0:
            raise CommandError("--minutes must be positive")
        folder = shopper_photos or versions.default_shopper_photos()
        if shopper_photos is not None and not Path(shopper_photos).is_dir():
            raise CommandError(f"--shopper-photos {shopper_photos}: not a folder")
        config = TrainConfig(version=version or versions.next_version_name(), minutes=minutes, seed=seed,
                             device=device, limit=limit,
                             shopper_train=str(folder / "train") if folder else None,
                             shopper_validation=str(folder / "validation") if folder else None)
        if cut is not None:
            config.cut = cut
        if views is not None:
            config.views = views

        def progress(step: str, fraction: float, info: dict) -> None:
            if verbosity:
                self.stdout.write(f"[{config.version}] {step} {100 * fraction:.0f}% {_json.dumps(info)}")
                self.stdout.flush()

        try:
            result = train_run(config, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        summary = {"version": config.version, "weights": str(result.weights), "curve": result.curve}
        if not no_register:
            products = versions.EVAL_PRODUCTS if eval_products is None else (eval_products or None)
            try:
                row = versions.version_register(name=config.version, config=config, curve=result.curve,
                                                promote=not no_promote, progress=progress, products=products)
            except ValueError as error:
                raise CommandError(str(error)) from error
            summary.update({"status": row.status, "reason": row.reason, "figures": row.figures,
                            "serving_figures": row.baseline_figures})
            self.stdout.write(f"{row.name}: {row.status}. {row.reason}")
        if json:
            self.stdout.write(_json.dumps(summary))
