"""On real product photos (../shared/data/fashion-5k): ImageNet predictions make sense, and bf16 stays within
cosine 0.99 of fp32. Skipped where the data set is absent (a fresh clone has no ../shared)."""

import csv
from pathlib import Path

import pytest

from recommender.embeddings.encoders import lite0
from recommender.embeddings.encoders.image_encoder import bf16_agreement
from recommender.embeddings.encoders.runners import openvino_available
from recommender.embeddings.encoders.runtime import native_bf16
from recommender.embeddings.loading import load_image

FASHION_5K = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "fashion-5k"
PER_TYPE = 12

# ImageNet-1k class indices that are a fair description of each article type.
SENSIBLE = {
    "Tshirts": {610: "jersey", 841: "sweatshirt"},
    "Watches": {
        409: "analog clock",
        531: "digital watch",
        826: "stopwatch",
        892: "wall clock",
        635: "magnetic compass",
    },
    "Handbags": {748: "purse", 636: "mailbag", 414: "backpack", 790: "shopping basket", 893: "wallet"},
    "Casual Shoes": {770: "running shoe", 630: "Loafer", 774: "sandal", 502: "clog", 514: "cowboy boot"},
    "Sports Shoes": {770: "running shoe", 630: "Loafer", 774: "sandal", 502: "clog", 514: "cowboy boot"},
    "Sunglasses": {836: "sunglass", 837: "sunglasses"},
}


@pytest.fixture(scope="module")
def photos() -> dict[str, list]:
    if not (FASHION_5K / "styles.csv").is_file():
        pytest.skip(f"needs the fashion-5k data set at {FASHION_5K} (present in CI, not in a fresh clone)")
    by_type: dict[str, list] = {kind: [] for kind in SENSIBLE}
    with open(FASHION_5K / "styles.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            kind = row["articleType"]
            path = FASHION_5K / "images" / f"{row['id']}.jpg"
            if kind in by_type and len(by_type[kind]) < PER_TYPE and path.is_file():
                by_type[kind].append(load_image(path, draft_size=lite0.SPEC.draft_size))
    return by_type


@pytest.fixture(scope="module")
def fp32():
    return lite0.build(precision="fp32", backend="torch")


@pytest.mark.parametrize("article_type", sorted(SENSIBLE))
def test_most_photos_of_an_article_type_have_a_sensible_imagenet_class_in_their_top_5(photos, fp32, article_type):
    images = photos[article_type]
    assert len(images) == PER_TYPE
    top5 = fp32.classify(images).argsort(axis=1)[:, -5:]
    sensible = SENSIBLE[article_type]
    hits = sum(bool(sensible.keys() & set(row.tolist())) for row in top5)
    assert hits / len(images) >= 0.8, f"{article_type}: {hits}/{len(images)} with one of {sorted(sensible.values())}"


@pytest.mark.skipif(not native_bf16(), reason="this CPU has no native bf16 (AVX512-BF16/AMX), so bf16 is never chosen")
@pytest.mark.parametrize("backend", ["torch", "openvino"])
def test_bf16_embeddings_of_real_photos_stay_within_cosine_099_of_fp32(photos, backend):
    if backend == "openvino" and not openvino_available():
        pytest.skip("openvino is not installed")
    images = [image for kind in sorted(photos) for image in photos[kind][:6]]
    encoder = lite0.build(precision="fp32", backend=backend)
    assert bf16_agreement(encoder=encoder, images=images) >= 0.99
