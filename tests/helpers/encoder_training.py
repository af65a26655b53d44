"""Builders for the encoder-training tests: a small real catalogue, and a version with chosen predictions.

`fashion_subset(fashion_5k, folder, per_type=...)`: a styles.csv of the first `per_type` rows of each of a few
frequent article types (the images folder linked, not copied), ready for `catalog_import`.
`version_with_heads(name, vocabs, favour)`: a weights file for a version with the ImageNet backbone and label heads
that say `favour` ({head: value}) with high confidence, so pages showing predictions have something to show.
"""

from __future__ import annotations

import csv
from pathlib import Path

TYPES = ("Tshirts", "Shirts", "Casual Shoes", "Watches", "Handbags", "Tops", "Kurtas", "Sports Shoes")


def fashion_subset(fashion_5k: Path, folder: Path, *, per_type: int, types=TYPES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (fashion_5k / "styles.csv").open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.DictReader(handle)
        taken = {kind: 0 for kind in types}
        rows = []
        for row in reader:
            kind = row["articleType"]
            if kind in taken and taken[kind] < per_type and (fashion_5k / "images" / f"{row['id']}.jpg").is_file():
                taken[kind] += 1
                rows.append(row)
        fields = reader.fieldnames
    with (folder / "styles.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    if not (folder / "images").exists():
        (folder / "images").symlink_to(fashion_5k / "images")
    return folder


def version_with_heads(name: str, *, vocabs: dict[str, tuple[str, ...]], favour: dict[str, str]) -> Path:
    import torch

    from recommender.embeddings.trained import model as shop_model
    from recommender.embeddings.trained.labels import Vocab
    from recommender.embeddings.trained.paths import weights_file

    model = shop_model.from_imagenet({head: Vocab(tuple(values)) for head, values in vocabs.items()})
    with torch.no_grad():
        for head, value in favour.items():
            layer = model.heads[shop_model._key(head)]
            layer.weight.zero_()
            layer.bias.fill_(-4.0)
            layer.bias[list(vocabs[head]).index(value)] = 4.0
    shop_model.save(model.eval(), weights_file(name), config={"test": True})
    return weights_file(name)


def with_vectors(product, vectors: dict):
    """The product's one image given a ready vector per encoder ({name: vector}), its product vectors refreshed."""
    from recommender.vectors import store
    from recommender.models import ImageEmbedding

    image = product.images.get()
    for encoder, vector in vectors.items():
        row = ImageEmbedding.objects.create(image=image, encoder=encoder, sha256=image.sha256)
        store.image_vectors_save(encoder=encoder, rows=[(row.pk, image.sha256, vector)])
        store.product_vectors_refresh(product_ids=[product.pk], encoder=encoder)
    return product


def forget_serving_caches() -> None:
    """The shared Redis outlives each test's rolled-back transaction: forget which encoder serves."""
    from django.core.cache import cache

    from recommender.models.encoder_version import promoted_cache_key

    cache.delete_many(["recommender:serving-encoder", promoted_cache_key()])
