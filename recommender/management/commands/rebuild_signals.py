"""python manage.py rebuild_signals [--full]: rebuild co-viewed/co-bought neighbours, popularity and trending."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recommender.behaviour.services import signals_rebuild

STEPS = ("read", "compute", "write")


class Command(BaseCommand):
    help = "Rebuild behaviour signals from interactions (skipped when nothing changed, unless --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild even when no interaction arrived")

    def handle(self, *args, full: bool, verbosity: int, **options):
        with tqdm(total=len(STEPS), desc="Signals", unit="step", disable=verbosity == 0) as bar:
            def progress(step: str) -> None:
                bar.set_postfix_str(step)
                if step != STEPS[0]:
                    bar.update(1)

            log = signals_rebuild(incremental=not full, progress=progress)
            bar.update(bar.total - bar.n)
        if log is None:
            if full:
                raise CommandError("another rebuild is running")
            self.stdout.write("nothing to do: no new interactions, or another rebuild is running")
            return
        self.stdout.write(f"generation {log.generation}: {log.events} events, {log.pairs} neighbour pairs, "
                          f"{log.products} products in {log.seconds:.2f} s")
