"""python manage.py embed_texts [--missing|--all] [--sync]

Text vectors for search by meaning. --missing (default): products with no vector or a stale one
(their text changed). --all: every product, recomputed. --sync computes in this process; otherwise
the batches are queued for the Celery workers.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from recommender.conf import recommender_setting
from recommender.models import TextEmbedding
from recommender.embeddings.text_service import products_needing_text_embeddings, text_embeddings_compute
from recommender.tasks import embed_texts_task


class Command(BaseCommand):
    help = "Compute product text embeddings (search by meaning): the missing or stale ones (default) or all."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--missing", action="store_true", help="products without a current text vector (default)")
        which.add_argument("--all", action="store_true", help="recompute every product")
        parser.add_argument("--sync", action="store_true", help="compute here instead of on the workers")

    def handle(self, *args, missing, all, sync, verbosity, **options):
        model = recommender_setting("TEXT_MODEL")
        if all:
            TextEmbedding.objects.filter(model=model).update(text_sha256="")  # stale, so every one is redone
        ids = products_needing_text_embeddings(model=model)
        if not ids:
            self.stdout.write(self.style.SUCCESS(f"Nothing to embed with {model}."))
            return
        batch = int(recommender_setting("TEXT_EMBED_BATCH"))
        batches = [ids[i : i + batch] for i in range(0, len(ids), batch)]
        if not sync:
            for chunk in batches:
                embed_texts_task.delay(chunk)
            self.stdout.write(self.style.SUCCESS(f"Queued {len(ids)} products in {len(batches)} tasks ({model})."))
            return
        embedded = 0
        with tqdm(total=len(ids), unit="product", desc=f"Embedding text ({model})", disable=verbosity == 0) as bar:
            for chunk in batches:
                embedded += text_embeddings_compute(product_ids=chunk, model=model).embedded
                bar.update(len(chunk))
        self.stdout.write(self.style.SUCCESS(f"Embedded {embedded} of {len(ids)} products ({model})."))
