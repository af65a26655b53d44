"""Image encoders behind one small interface, built lazily and cached once per process.

In: an encoder name: 'lite0' (default, EfficientNet-Lite0, 1280-d), or 'resnet50' (2048-d) /
'mobilenet_v3_large' (960-d) where their torchvision weights are on disk.
Out: ``get_encoder(name).embed(images)`` -> float32 [n, dim], rows L2-normalised.

Importing this package does not import torch or OpenVINO; building an encoder does.
"""

from recommender.embeddings.encoders.base import Encoder, EncoderUnavailable, l2_normalise, min_cosine
from recommender.embeddings.encoders.registry import DEFAULT_ENCODER, clear_encoder_cache, encoder_names, get_encoder

__all__ = [
    "DEFAULT_ENCODER",
    "Encoder",
    "EncoderUnavailable",
    "clear_encoder_cache",
    "encoder_names",
    "get_encoder",
    "l2_normalise",
    "min_cosine",
]
