"""Image -> model input, without per-pixel Python: Pillow resizes, numpy stacks.

In: PIL images (any mode, any size) and a ``Preprocess`` spec.
Out: ``to_uint8_batch`` -> uint8 array [n, crop, crop, 3] (NHWC, RGB). The runners scale it to floats
themselves (``(x / 255 - mean) / std``), where it is vectorised or fused into the model graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from recommender.embeddings.loading import to_rgb


@dataclass(frozen=True)
class Preprocess:
    resize: int  # shorter side after resizing, in pixels
    crop: int  # side of the centre square fed to the model
    mean: tuple[float, float, float]  # per channel, on the 0..1 scale
    std: tuple[float, float, float]
    resample: Image.Resampling = Image.Resampling.BICUBIC

    @property
    def draft_size(self) -> tuple[int, int]:
        """What to pass to ``load_image(draft_size=...)`` so JPEG draft decoding never goes below ``resize``."""
        return (self.resize, self.resize)


def resize_and_crop(image: Image.Image, /, *, spec: Preprocess) -> Image.Image:
    """Resize the shorter side to ``spec.resize``, then centre-crop ``spec.crop``, in ONE resample.

    Pillow's ``box`` argument resamples only the source region that survives the crop, which is both
    faster than resize-then-crop and free of a second rounding step.
    """
    image = to_rgb(image)
    width, height = image.size
    side = spec.crop * min(width, height) / spec.resize  # the crop's side measured in source pixels
    left = (width - side) / 2
    top = (height - side) / 2
    return image.resize((spec.crop, spec.crop), spec.resample, box=(left, top, left + side, top + side))


def to_uint8_batch(images: Sequence[Image.Image], /, *, spec: Preprocess) -> np.ndarray:
    batch = np.empty((len(images), spec.crop, spec.crop, 3), dtype=np.uint8)
    for i, image in enumerate(images):
        batch[i] = np.asarray(resize_and_crop(image, spec=spec))
    return batch
