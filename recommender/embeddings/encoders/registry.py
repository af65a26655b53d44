"""Encoders by name, built lazily and once per process (and per option set).

In: ``get_encoder(name, precision=..., backend=..., batch_size=...)``.
Out: a cached ``ImageEncoder``; ``EncoderUnavailable`` for an unknown name or a model that cannot be built here.
A name that is no built-in is a trained version (recommender.encoder_training) when its weights file exists.
"""

from __future__ import annotations

import functools
import importlib
import os
import threading

from recommender.embeddings.encoders.base import Backend, EncoderUnavailable, Precision
from recommender.embeddings.encoders.image_encoder import DEFAULT_BATCH_SIZE, ImageEncoder
from recommender.embeddings.trained.paths import weights_stamp
from recommender.embeddings.trained.served import available, build as build_trained

DEFAULT_ENCODER = "lite0"

# Dotted paths, imported on first use: importing this module must not import torch.
_BUILDERS = {
    "lite0": "recommender.embeddings.encoders.lite0:build",
    "resnet50": "recommender.embeddings.encoders.torchvision_models:build_resnet50",
    "mobilenet_v3_large": "recommender.embeddings.encoders.torchvision_models:build_mobilenet_v3_large",
}

_cache: dict[tuple, ImageEncoder] = {}
_lock = threading.Lock()


def encoder_names() -> list[str]:
    return sorted(_BUILDERS)


def get_encoder(
    name: str = DEFAULT_ENCODER,
    *,
    precision: Precision = "auto",
    backend: Backend = "auto",
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImageEncoder:
    if name not in _BUILDERS and not _trained(name):
        raise EncoderUnavailable(f"unknown encoder {name!r}; known: {', '.join(encoder_names())}")
    # The pid is part of the key: a model built before a fork (Celery prefork) must not be reused in the
    # child, where its thread pools are dead and OpenVINO/OpenMP can hang. A trained version's weights file stamp is
    # too: the same version name trained again (a resumed or repeated run) must serve its new weights.
    key = (os.getpid(), name, precision, backend, batch_size, None if name in _BUILDERS else weights_stamp(name))
    with _lock:  # two web threads asking at once build one model, not two
        if key not in _cache:
            if name in _BUILDERS:
                module_path, function = _BUILDERS[name].split(":")
                build = getattr(importlib.import_module(module_path), function)
            else:  # a version trained on this shop's catalogue (train_encoder): its weights file names it

                build = functools.partial(build_trained, name)
            _cache[key] = build(precision=precision, backend=backend, batch_size=batch_size)
        return _cache[key]


def _trained(name: str) -> bool:
    return available(name)


def clear_encoder_cache() -> None:
    """Forget built encoders (tests; freeing memory in a long-lived process)."""
    with _lock:
        _cache.clear()
