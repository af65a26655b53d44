"""Training samples as tensors: an augmented image and its labels, for the catalogue and for shopper photos.

In: ``CatalogueItem``/``ShopperPhoto`` rows, the vocabularies, the training size, a seed. Out: a torch ``Dataset``
whose sample ``i`` of view ``e`` is always the same (view 0 of a product: its plain photo) (its RNG is seeded by (seed, epoch, i)), so a resumed run sees
the very batches it would have seen. A sample is (image uint8 [S, S, 3], labels int64 [heads], right
categories bool [categories]): a product's own category, or every category right for a shopper photo's class;
labels are -1 where unknown (a shopper photo knows only its class).
"""

from __future__ import annotations

import random

import numpy as np
import torch
from PIL import Image

from recommender.encoder_training import augment
from recommender.embeddings.trained.labels import Vocab, allowed_categories, item_label


def to_uint8(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.uint8)


def to_tensor(image: Image.Image) -> torch.Tensor:
    pixels = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).permute(2, 0, 1)
    return pixels.float() / 127.5 - 1.0


class Samples(torch.utils.data.Dataset):
    def __init__(self, *, catalogue, shoppers, vocabs: dict[str, Vocab], size: int, seed: int, epoch: int = 0):
        self.catalogue, self.shoppers = list(catalogue), list(shoppers)
        self.vocabs, self.heads = vocabs, list(vocabs)
        self.size, self.seed, self.epoch = size, seed, epoch

    def __len__(self) -> int:
        return len(self.catalogue) + len(self.shoppers)

    def __getitem__(self, index: int):
        rng = random.Random(hash((self.seed, self.epoch, index)) & 0xFFFFFFFF)
        categories = self.vocabs["category"]
        right = torch.zeros(len(categories), dtype=torch.bool)
        labels = torch.full((len(self.heads),), -1, dtype=torch.int64)
        if index < len(self.catalogue):
            item = self.catalogue[index]
            # View 0 of a product is its plain photo (as served); the others are made to look like phone photos.
            image = (augment.plain(_open(item.path), size=self.size) if self.epoch == 0
                     else augment.phone_like(_open(item.path), rng, size=self.size))
            for h, head in enumerate(self.heads):
                labels[h] = self.vocabs[head].index(item_label(item, head))
            if labels[0] >= 0:
                right[labels[0]] = True
        else:
            photo = self.shoppers[index - len(self.catalogue)]
            image = augment.shopper_like(_open(photo.path), rng, size=self.size)
            right[allowed_categories(photo.shopper_class, categories)] = True
        return to_uint8(image), labels, right


def _open(path: str) -> Image.Image:
    with Image.open(path) as image:
        image.draft("RGB", (320, 320))  # big JPEGs decode at a fraction of full size
        return image.convert("RGB")


def epoch_order(*, catalogue: int, shoppers: int, shopper_share: float, seed: int, epoch: int) -> list[int]:
    """Sample indices for one epoch: every catalogue item once, plus a shopper-photo sample, shuffled."""
    rng = random.Random(seed * 1_000_003 + epoch)
    take = min(shoppers, int(round(shopper_share * catalogue)))
    order = list(range(catalogue)) + [catalogue + i for i in rng.sample(range(shoppers), take)]
    rng.shuffle(order)
    return order
