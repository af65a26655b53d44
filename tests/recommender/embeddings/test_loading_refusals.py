"""Every way ``load_image`` refuses a file, each with its own code."""

import io
import logging

import pytest
from PIL import Image, ImageFile

from recommender.embeddings.loading import MAX_BYTES, ImageRejected, load_image
from tests.recommender.embeddings.samples import encode, png_header_only, product_photo


def refusal_code(source, **options) -> str:
    with pytest.raises(ImageRejected) as caught:
        load_image(source, **options)
    assert caught.value.reason  # a human sentence for the admin, never empty
    return caught.value.code


def test_an_empty_file_is_refused_as_empty():
    assert refusal_code(b"") == "empty"
    assert refusal_code(io.BytesIO()) == "empty"


def test_a_file_over_the_byte_limit_is_refused_as_too_large():
    oversized = b"\xff\xd8\xff" + b"\x00" * MAX_BYTES
    assert refusal_code(oversized) == "too_large"
    assert refusal_code(io.BytesIO(encode(product_photo(), format="PNG")), max_bytes=100) == "too_large"


def test_text_renamed_to_jpg_is_refused_as_unsupported(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_text("just some notes, not a photo\n")
    assert refusal_code(path) == "unsupported_format"


def test_an_svg_with_a_script_is_refused_as_unsupported():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refusal_code(svg) == "unsupported_format"
    assert refusal_code(b"<svg onload=alert(1)></svg>") == "unsupported_format"


def test_an_html_page_carrying_a_real_jpeg_is_refused_as_unsupported():
    polyglot = b"<html><body><script>alert(document.cookie)</script>" + encode(product_photo(), format="JPEG")
    assert refusal_code(polyglot) == "unsupported_format"


def test_formats_outside_the_allowlist_are_refused_even_when_pillow_reads_them():
    for format in ("BMP", "TIFF", "ICO"):
        assert refusal_code(encode(product_photo(width=64, height=64), format=format)) == "unsupported_format"


def test_a_truncated_jpeg_is_refused_as_corrupt():
    data = encode(product_photo(), format="JPEG", quality=90)
    assert refusal_code(data[: len(data) // 2]) == "corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # the loader relies on it and must never flip it


def test_garbage_after_valid_magic_bytes_is_refused_as_corrupt():
    assert refusal_code(b"\xff\xd8\xff\xe0" + b"\x13" * 500) == "corrupt"
    assert refusal_code(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100) == "corrupt"


def test_a_png_with_a_broken_checksum_is_refused_as_corrupt():
    data = bytearray(encode(product_photo(width=32, height=32), format="PNG"))
    data[29] ^= 0xFF  # inside the IHDR chunk's CRC
    assert refusal_code(bytes(data)) == "corrupt"


def test_a_png_claiming_billions_of_pixels_is_refused_as_a_decompression_bomb():
    assert refusal_code(png_header_only(width=100_000, height=100_000)) == "decompression_bomb"


def test_pillows_bomb_warning_is_treated_as_a_refusal_not_a_warning():
    # 10,000 x 10,000 is past Pillow's warning threshold (~89 Mpx) but below its hard error (~179 Mpx).
    assert Image.MAX_IMAGE_PIXELS < 100_000_000 < 2 * Image.MAX_IMAGE_PIXELS
    assert refusal_code(png_header_only(width=10_000, height=10_000)) == "decompression_bomb"


def test_an_image_over_the_pixel_cap_is_refused_from_its_header_before_decoding():
    # 48 Mpx with almost no pixel data: decoding would fail, so "too_many_pixels" proves the header check came first.
    assert refusal_code(png_header_only(width=8_000, height=6_000)) == "too_many_pixels"
    assert refusal_code(encode(product_photo(), format="PNG"), max_pixels=10_000) == "too_many_pixels"


def test_a_refusal_is_a_value_error_with_code_and_reason():
    error = ImageRejected(code="empty", reason="This file is empty.")
    assert isinstance(error, ValueError)
    assert str(error) == "empty: This file is empty."


def refusal(source, **options) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        load_image(source, **options)
    return caught.value


@pytest.mark.parametrize(
    ("make", "code", "reason"),
    [
        (lambda: b"", "empty", "This file is empty."),
        (lambda: b"\xff\xd8\xff" + b"\x00" * MAX_BYTES, "too_large", "This file is too large (max 10 MB)."),
        (lambda: b"<svg></svg>", "unsupported_format", "This file is not a JPEG, PNG, WebP or GIF image."),
        (lambda: encode(product_photo(), format="JPEG", quality=90)[:600], "corrupt", "This file is damaged or incomplete."),
        (lambda: png_header_only(width=12_000, height=12_000), "decompression_bomb",
         "This photo is too large (max 40 megapixels)."),
        (lambda: png_header_only(width=8_000, height=6_000), "too_many_pixels",
         "This photo is too large (8000 × 6000 pixels; max 40 megapixels)."),
    ],
    ids=["empty", "too-large", "unsupported", "truncated", "bomb", "over-the-pixel-cap"],
)
def test_a_refusal_reads_as_a_plain_sentence_and_keeps_the_library_detail_for_the_log(make, code, reason, caplog):
    with caplog.at_level(logging.INFO, logger="recommender.embeddings.loading"):
        error = refusal(make())
    assert (error.code, error.reason) == (code, reason)
    assert f"image refused: {code}" in caplog.text


def test_pillows_own_words_go_to_the_log_never_into_the_reason(caplog):
    bomb = png_header_only(width=12_000, height=12_000)  # 144 Mpx, past Pillow's hard limit
    truncated = encode(product_photo(), format="JPEG", quality=90)[:600]
    with caplog.at_level(logging.INFO, logger="recommender.embeddings.loading"):
        bomb_error, truncated_error = refusal(bomb), refusal(truncated)
    assert "decompression bomb" in bomb_error.detail and "144000000" in bomb_error.detail
    assert "decompression bomb" in caplog.text
    for error in (bomb_error, truncated_error):
        assert error.detail and error.detail not in error.reason
        assert "(" not in error.reason.replace("(max", "")  # no library message in brackets
