"""python manage.py embed [--missing|--all] [--encoder NAME] [--sync] [--limit N]

--sync computes in this process; otherwise the work is queued for the Celery workers and this
command follows their progress in the database.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from recommender.conf import recommender_setting
from recommender.embeddings import service
from recommender.models import EmbeddingStatus, ImageEmbedding
from recommender.tasks import embed_images_task
from shop.catalog.models import ProductImage


class Command(BaseCommand):
    help = "Compute image embeddings: the missing ones (default) or all of them."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--missing", action="store_true", help="images without a current vector (default)")
        which.add_argument("--all", action="store_true", help="recompute every image")
        parser.add_argument("--encoder", default=None, help="encoder name (default: RECOMMENDER['ENCODER'])")
        parser.add_argument("--sync", action="store_true", help="compute here instead of on the workers")
        parser.add_argument("--limit", type=int, default=None)
        parser.add_argument("--timeout", type=float, default=3600, help="seconds to follow queued work")

    def handle(self, *args, missing, all, encoder, sync, limit, timeout, verbosity, **options):
        encoder = encoder or recommender_setting("ENCODER")
        if all:
            ImageEmbedding.objects.filter(encoder=encoder).update(status=EmbeddingStatus.PENDING, sha256="", attempts=0)
            ids = list(ProductImage.objects.order_by("pk").values_list("pk", flat=True)[:limit])
        else:
            ids = service.images_needing_embeddings(encoder_name=encoder, limit=limit or 10**9, include_queued=True)
        if not ids:
            self.stdout.write(self.style.SUCCESS(f"Nothing to embed with {encoder}."))
            return
        batch = int(recommender_setting("EMBED_BATCH_SIZE"))
        batches = [ids[i : i + batch] for i in range(0, len(ids), batch)]
        started = time.monotonic()
        with tqdm(total=len(ids), unit="img", desc=f"Embedding ({encoder})", disable=verbosity == 0) as bar:
            if sync:
                ready = failed = 0
                for chunk in batches:
                    report = service.image_embeddings_compute(image_ids=chunk, encoder_name=encoder)
                    ready, failed = ready + report.ready, failed + report.failed
                    bar.update(len(chunk))
            else:
                ready, failed = self._queue_and_follow(batches, ids, encoder, bar, timeout)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{ready} ready, {failed} failed of {len(ids)} images in {seconds:.1f} s "
                f"({len(ids) / max(seconds, 1e-9):.1f} img/s)"
            )
        )

    def _queue_and_follow(self, batches, ids, encoder, bar, timeout):
        try:
            for chunk in batches:
                embed_images_task.apply_async((chunk, encoder), retry=False)
                service.embeddings_mark_queued(image_ids=chunk, encoder_name=encoder)
        except Exception as error:
            raise CommandError(f"Could not queue the work ({error}). Is Redis running? Or use --sync.") from error
        deadline = time.monotonic() + timeout
        rows = ImageEmbedding.objects.filter(image_id__in=ids, encoder=encoder)
        settled = Q(status__in=[EmbeddingStatus.READY, EmbeddingStatus.FAILED])
        done = 0
        while done < len(ids) and time.monotonic() < deadline:
            time.sleep(1)
            done = rows.filter(settled).count()
            bar.update(done - bar.n)
        if done < len(ids):
            self.stderr.write(f"{len(ids) - done} images still pending: is a worker running (make run)?")
        return rows.filter(status=EmbeddingStatus.READY).count(), rows.filter(status=EmbeddingStatus.FAILED).count()
