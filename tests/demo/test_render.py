"""The rendered product photos: size, white page, silhouettes that tell kinds apart, determinism."""

import io

import numpy as np
import pytest
from PIL import Image

from shop.demo.palette import COLOURS
from shop.demo.patterns import PATTERNS
from shop.demo.render import KINDS, SIZE, render, render_product_jpeg


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0.5, b > 0.5
    return (a & b).sum() / (a | b).sum()


def test_there_are_at_least_ten_kinds_twelve_colours_and_five_patterns():
    assert len(KINDS) >= 10
    assert len(COLOURS) >= 12
    assert set(PATTERNS) >= {"solid", "stripes", "checks", "dots", "floral"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_a_512_rgb_photo_on_white_that_the_item_fills_sensibly(kind):
    result = render(kind=kind, colour="Navy", pattern="solid", seed=1)
    assert result.image.size == (SIZE, SIZE) == (512, 512)
    assert result.image.mode == "RGB"
    pixels = np.asarray(result.image)
    for corner in (pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]):
        assert corner.min() >= 250
    share = result.mask.mean()
    assert 0.08 < share < 0.6, f"{kind} covers {share:.0%} of the photo"


def test_the_jpeg_is_a_512_square_that_decodes():
    data = render_product_jpeg(kind="dress", colour="Red", pattern="floral", seed=3)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size, image.mode) == ("JPEG", (512, 512), "RGB")


def test_rendering_is_deterministic_for_the_same_kind_colour_pattern_and_seed():
    first = render_product_jpeg(kind="shirt", colour="Blue", pattern="checks", seed=42)
    again = render_product_jpeg(kind="shirt", colour="Blue", pattern="checks", seed=42)
    other_seed = render_product_jpeg(kind="shirt", colour="Blue", pattern="checks", seed=43)
    assert first == again
    assert first != other_seed


def test_different_kinds_have_clearly_different_silhouettes_and_one_kind_stays_alike():
    tee = render(kind="tshirt", colour="Grey", pattern="solid", seed=1).mask
    tee_other_seed = render(kind="tshirt", colour="Grey", pattern="solid", seed=2).mask
    trousers = render(kind="trousers", colour="Grey", pattern="solid", seed=1).mask
    sneakers = render(kind="sneakers", colour="Grey", pattern="solid", seed=1).mask
    # Flat lays all sit centred in the frame, so some overlap is unavoidable; what matters is the gap.
    assert iou(tee, tee_other_seed) > 0.85
    assert iou(tee, trousers) < 0.65
    assert iou(tee, sneakers) < 0.4
    assert iou(tee, tee_other_seed) - iou(tee, trousers) > 0.25


@pytest.mark.parametrize("kind", KINDS)
def test_items_of_one_kind_keep_their_silhouette_across_seeds(kind):
    masks = [render(kind=kind, colour="Grey", pattern="solid", seed=seed).mask for seed in (1, 2, 3)]
    assert min(iou(masks[0], masks[1]), iou(masks[0], masks[2]), iou(masks[1], masks[2])) > 0.75


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p != "solid"])
def test_a_pattern_changes_pixels_inside_the_silhouette_only(pattern):
    solid = render(kind="skirt", colour="Green", pattern="solid", seed=5)
    printed = render(kind="skirt", colour="Green", pattern=pattern, seed=5)
    difference = np.abs(np.asarray(solid.image, dtype=int) - np.asarray(printed.image, dtype=int)).max(axis=2)
    assert np.array_equal(solid.mask, printed.mask)
    assert difference[solid.mask == 0].max() == 0
    assert (difference[solid.mask > 0.99] > 30).mean() > 0.1


def test_a_colour_changes_the_item_but_not_its_shape():
    navy = render(kind="jacket", colour="Navy", pattern="solid", seed=9)
    beige = render(kind="jacket", colour="Beige", pattern="solid", seed=9)
    assert np.array_equal(navy.mask, beige.mask)
    inside = navy.mask > 0.99
    assert np.asarray(navy.image)[inside].mean() < np.asarray(beige.image)[inside].mean() - 60


def test_unknown_kinds_colours_and_patterns_are_refused():
    with pytest.raises(ValueError, match="kind"):
        render(kind="spacesuit", colour="Navy", pattern="solid", seed=1)
    with pytest.raises(ValueError, match="colour"):
        render(kind="tshirt", colour="Ultraviolet", pattern="solid", seed=1)
    with pytest.raises(ValueError, match="pattern"):
        render(kind="tshirt", colour="Navy", pattern="paisley", seed=1)
