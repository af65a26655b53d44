"""A trained version is served like the built-in encoders: found by name in the registry, the same preprocessing,
and the OpenVINO fast path within cosine 0.9999 of PyTorch fp32 (the check lite0 has)."""

import os

import numpy as np
import pytest
import torch
from django.db import connection

from recommender.conf import recommender_setting
from recommender.embeddings.encoders import EncoderUnavailable, get_encoder
from recommender.embeddings.encoders.base import min_cosine
from recommender.embeddings.encoders.registry import clear_encoder_cache
from recommender.embeddings.encoders.runners import openvino_available
from recommender.embeddings.encoders.runtime import calibration_images
from recommender.embeddings.trained import model as shop_model
from recommender.embeddings.trained.model import EMBED_DIM
from recommender.embeddings.trained.paths import weights_file
from recommender.models.encoder_version import promoted_encoder_name
from shop.catalog.models import Product
from tests.helpers.encoder_training import forget_serving_caches, version_with_heads

VOCABS = {"category": ("Dresses", "Shirts"), "colour": ("Blue", "Red")}


@pytest.fixture
def version():
    clear_encoder_cache()
    version_with_heads("lite0-shop-served", vocabs=VOCABS, favour={"colour": "Red"})
    yield "lite0-shop-served"
    clear_encoder_cache()


def test_the_registry_serves_a_trained_version_by_name_with_unit_vectors(version):
    encoder = get_encoder(version, precision="fp32", backend="torch")
    vectors = encoder.embed(calibration_images(count=3))
    assert encoder.name == version and vectors.shape == (3, EMBED_DIM)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_version_without_a_weights_file_is_refused_by_name():
    clear_encoder_cache()
    with pytest.raises(EncoderUnavailable, match="lite0-shop-missing"):
        get_encoder("lite0-shop-missing")


@pytest.mark.skipif(not openvino_available(), reason="openvino is not installed; the torch backend is used")
def test_the_openvino_fast_path_of_a_trained_version_matches_pytorch_fp32(version):
    images = calibration_images(count=4)
    openvino = get_encoder(version, precision="fp32", backend="openvino")
    torch_fp32 = get_encoder(version, precision="fp32", backend="torch")
    assert min_cosine(openvino.embed(images), torch_fp32.embed(images)) > 0.9999


def test_a_version_trained_again_under_the_same_name_is_served_with_its_new_weights(version):
    images = calibration_images(count=2)
    before = get_encoder(version, precision="fp32", backend="torch").embed(images)
    model, _ = shop_model.load(weights_file(version))
    with torch.no_grad():
        for parameter in model.embedding.parameters():
            parameter.add_(torch.randn_like(parameter))
    shop_model.save(model.eval(), weights_file(version), config={"test": True})
    stamp = weights_file(version).stat().st_mtime_ns
    os.utime(weights_file(version), ns=(stamp + 10**9, stamp + 10**9))  # a coarse file-system clock still moves on

    after = get_encoder(version, precision="fp32", backend="torch").embed(images)
    assert min_cosine(before, after) < 0.999


@pytest.mark.django_db
def test_an_unreadable_encoder_versions_table_leaves_the_configured_encoder_and_the_transaction_usable():
    forget_serving_caches()
    with connection.cursor() as cursor:  # as on a server whose migrations are not applied yet (rolled back after)
        cursor.execute("ALTER TABLE recommender_encoderversion RENAME TO recommender_encoderversion_away")

    assert promoted_encoder_name() is None
    assert recommender_setting("ENCODER") == "lite0"
    assert Product.objects.count() == 0  # the next statement still runs: the transaction was not aborted
    forget_serving_caches()
