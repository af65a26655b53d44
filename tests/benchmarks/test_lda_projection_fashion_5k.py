"""The LDA projection experiment on real photos: the first 1,000 fashion-5k products (../shared/data/fashion-5k).

Imported and embedded with lite0 (about 10-20 s on 2 cores), then `bench projection` fits on the training half and
measures the held-out half (figures in docs/benchmarks.md, "Visual similarity"). Asserted with a margin below.
"""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from recommender.embeddings.service import image_embeddings_compute
from shop.catalog.importer import catalog_import
from shop.catalog.models import ProductImage

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]
SAMPLE = 1000


def test_the_projection_lifts_held_out_p_at_10_on_real_photos(fashion_5k, capsys):
    cache.delete("recommender:serving-encoder")
    catalog_import(path=fashion_5k, limit=SAMPLE)
    image_embeddings_compute(image_ids=list(ProductImage.objects.values_list("pk", flat=True)))
    capsys.readouterr()

    call_command("bench", "projection", json=True)
    held = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    print(f"\nheld-out P@10 over {held['products']} products: raw {held['p_at_10_raw']}, projected {held['p_at_10']}")

    assert held["train_products"] + held["held_out_products"] == SAMPLE
    assert held["p_at_10_raw"] > 0.65
    assert held["p_at_10"] >= held["p_at_10_raw"] + 0.025
    cache.delete("recommender:serving-encoder")
