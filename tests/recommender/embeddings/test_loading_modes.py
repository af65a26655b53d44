"""Awkward but valid images: every one loads as a fully decoded RGB image that looks like the original."""

import io

import numpy as np
from PIL import Image

from recommender.embeddings.loading import load_image, to_rgb
from tests.recommender.embeddings.samples import animated, encode, product_photo, with_exif_orientation

WHITE = (255, 255, 255)


def test_bytes_paths_and_already_read_files_all_load(tmp_path):
    data = encode(product_photo(), format="JPEG")
    path = tmp_path / "photo.jpeg"
    path.write_bytes(data)
    handle = io.BytesIO(data)
    handle.read()  # as a form's validation would have done
    for source in (data, bytearray(data), memoryview(data), path, str(path), handle):
        image = load_image(source)
        assert (image.mode, image.size) == ("RGB", (320, 400))


def test_a_cmyk_jpeg_becomes_rgb_with_its_colours():
    cmyk = Image.new("CMYK", (40, 40), (0, 255, 255, 0))  # pure red in print colours
    image = load_image(encode(cmyk, format="JPEG", quality=95))
    r, g, b = image.getpixel((20, 20))
    assert image.mode == "RGB" and r > 200 and g < 60 and b < 60


def test_a_16_bit_png_keeps_its_tones_instead_of_clipping_to_white():
    ramp = (np.linspace(0, 65535, 256, dtype=np.float64)[None, :].repeat(8, axis=0)).astype(np.uint16)
    image = load_image(encode(Image.fromarray(ramp), format="PNG"))
    row = np.asarray(image)[0, :, 0]
    assert image.mode == "RGB"
    assert row[0] == 0 and row[-1] == 255 and 120 <= row[128] <= 135


def test_32_bit_integer_and_float_images_are_rescaled_to_8_bits():
    wide = Image.fromarray(np.full((4, 4), 40000, dtype=np.int32), mode="I")
    unit = Image.fromarray(np.full((4, 4), 0.5, dtype=np.float32), mode="F")
    assert to_rgb(wide).getpixel((0, 0)) == (156, 156, 156)
    assert to_rgb(unit).getpixel((0, 0)) == (128, 128, 128)


def test_palette_transparency_is_flattened_on_white():
    palette = Image.new("P", (10, 10), 0)
    palette.putpalette([0, 0, 0] + [200, 0, 0] + [0] * 762)
    palette.paste(1, (0, 0, 5, 10))
    image = load_image(encode(palette, format="PNG", transparency=0))
    assert image.getpixel((2, 2)) == (200, 0, 0)
    assert image.getpixel((8, 8)) == WHITE  # index 0 was transparent black


def test_alpha_is_composited_on_white_for_rgba_and_la():
    rgba = Image.new("RGBA", (10, 10), (0, 0, 255, 0))
    rgba.paste((0, 0, 255, 255), (0, 0, 5, 10))
    image = load_image(encode(rgba, format="PNG"))
    assert image.getpixel((2, 2)) == (0, 0, 255) and image.getpixel((8, 8)) == WHITE
    half_grey = load_image(encode(Image.new("LA", (4, 4), (0, 128)), format="PNG")).getpixel((0, 0))
    assert all(126 <= channel <= 128 for channel in half_grey)  # black at 50% over white


def test_greyscale_and_bilevel_images_become_rgb():
    for mode in ("L", "1"):
        image = load_image(encode(Image.new(mode, (8, 8), 0), format="PNG"))
        assert (image.mode, image.getpixel((0, 0))) == ("RGB", (0, 0, 0))


def test_an_animated_gif_gives_its_first_frame():
    image = load_image(animated(format="GIF", colours=[(255, 0, 0), (0, 255, 0), (0, 0, 255)]))
    assert image.getpixel((32, 32)) == (255, 0, 0)


def test_an_animated_webp_gives_its_first_frame():
    image = load_image(animated(format="WEBP", colours=[(255, 0, 0), (0, 255, 0)]))
    r, g, b = image.getpixel((32, 32))
    assert r > 230 and g < 30 and b < 30


def test_tiny_and_extremely_thin_images_load():
    assert load_image(encode(Image.new("RGB", (1, 1), (9, 9, 9)), format="PNG")).size == (1, 1)
    assert load_image(encode(Image.new("RGB", (5000, 20), (9, 9, 9)), format="JPEG")).size == (5000, 20)


def test_exif_orientation_6_is_applied_so_width_and_height_swap():
    wide = product_photo(width=60, height=30)
    image = load_image(with_exif_orientation(wide, orientation=6))
    assert image.size == (30, 60)


def test_a_big_jpeg_decodes_in_draft_mode_but_never_below_the_requested_size():
    photo = product_photo(width=600, height=400).resize((6000, 4000))
    data = encode(photo, format="JPEG", quality=85)
    image = load_image(data, draft_size=(256, 256))
    assert image.mode == "RGB"
    assert image.size == (750, 500)  # DCT-scaled by 1/8: the smallest scale keeping both sides >= 256
    assert load_image(data, draft_size=(600, 600)).size == (1500, 1000)


def test_draft_size_is_ignored_for_formats_other_than_jpeg():
    image = load_image(encode(product_photo(width=1200, height=800), format="PNG"), draft_size=(256, 256))
    assert image.size == (1200, 800)


def test_webp_and_gif_stills_load():
    for format in ("WEBP", "GIF"):
        assert load_image(encode(product_photo(), format=format)).size == (320, 400)
