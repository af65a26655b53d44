"""Resize-and-crop in one resample matches the reference two-step recipe, for any shape."""

import numpy as np
import pytest
from PIL import Image

from recommender.embeddings.encoders.lite0 import SPEC
from recommender.embeddings.encoders.preprocess import resize_and_crop, to_uint8_batch
from tests.recommender.embeddings.samples import product_photo


def reference(image: Image.Image) -> Image.Image:
    """The textbook recipe: shorter side to 256 (bicubic), then the centre 224 x 224."""
    width, height = image.size
    scale = SPEC.resize / min(width, height)
    resized = image.resize((round(width * scale), round(height * scale)), Image.Resampling.BICUBIC)
    left, top = (resized.width - SPEC.crop) // 2, (resized.height - SPEC.crop) // 2
    return resized.crop((left, top, left + SPEC.crop, top + SPEC.crop))


@pytest.mark.parametrize("size", [(320, 400), (1600, 1200), (224, 224), (300, 256)])
def test_one_step_resize_and_crop_matches_the_two_step_recipe(size):
    image = product_photo(width=size[0], height=size[1])
    ours = np.asarray(resize_and_crop(image, spec=SPEC), dtype=np.float32)
    theirs = np.asarray(reference(image), dtype=np.float32)
    assert ours.shape == theirs.shape == (224, 224, 3)
    assert np.abs(ours - theirs).mean() < 3.0  # sub-pixel offsets of rounding only


def test_a_batch_is_uint8_nhwc_whatever_the_inputs_modes_and_shapes():
    images = [product_photo(), Image.new("L", (5000, 20)), Image.new("RGBA", (1, 1)), Image.new("P", (50, 80))]
    batch = to_uint8_batch(images, spec=SPEC)
    assert batch.dtype == np.uint8 and batch.shape == (4, 224, 224, 3)
