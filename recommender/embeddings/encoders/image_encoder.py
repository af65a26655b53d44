"""``ImageEncoder``: a torch feature extractor + preprocessing + a runner, behind the ``Encoder`` interface.

In: PIL images (any mode or size; see ``preprocess``).
Out: ``embed`` -> float32 [n, dim], unit rows; ``classify`` -> float32 [n, classes] logits (for checks).

Precision 'auto' picks bf16 only where the CPU does bf16 natively AND the bf16 embeddings of a fixed
calibration sample stay within cosine ``MIN_BF16_COSINE`` of fp32; otherwise fp32.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from PIL import Image

from recommender.embeddings.encoders.base import EncoderUnavailable, l2_normalise, min_cosine
from recommender.embeddings.encoders.preprocess import Preprocess, to_uint8_batch
from recommender.embeddings.encoders.runners import Runner, build_runner, resolve_backend
from recommender.embeddings.encoders.runtime import calibration_images, native_bf16

logger = logging.getLogger(__name__)

# Measured on the dev machine: batches of 4-8 are fastest in PyTorch bf16 (bigger ones fall out of the
# 2 cores' caches and get slower), and OpenVINO is flat from 1 to 16.
DEFAULT_BATCH_SIZE = 8
MIN_BF16_COSINE = 0.99


class ImageEncoder:
    """One model ready to embed: ``name``, ``dim``, ``precision`` and ``backend`` as resolved, ``spec`` for loading."""

    def __init__(
        self,
        *,
        name: str,
        dim: int,
        module,
        head,
        spec: Preprocess,
        precision: str = "auto",
        backend: str = "auto",
        batch_size: int = DEFAULT_BATCH_SIZE,
    ):
        if precision not in ("auto", "fp32", "bf16"):
            raise EncoderUnavailable(f"unknown precision {precision!r}; use 'auto', 'fp32' or 'bf16'")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.name = name
        self.dim = dim
        self.spec = spec
        self.batch_size = batch_size
        self.backend = resolve_backend(backend)
        self._module = module
        self._head = head.eval() if head is not None else None
        if precision == "auto":
            precision, self._runner = _choose_precision(module=module, spec=spec, backend=self.backend)
        else:
            self._runner = build_runner(backend=self.backend, module=module, spec=spec, precision=precision)
        self.precision = precision

    def __repr__(self) -> str:
        return f"<ImageEncoder {self.name} dim={self.dim} {self.precision} {self.backend} batch={self.batch_size}>"

    def features(self, images: Sequence[Image.Image], /) -> np.ndarray:
        """Raw pooled features, float32 [n, dim], before normalisation."""
        out = np.empty((len(images), self.dim), dtype=np.float32)
        for start in range(0, len(images), self.batch_size):
            chunk = images[start : start + self.batch_size]
            out[start : start + len(chunk)] = self._runner(to_uint8_batch(chunk, spec=self.spec))
        return out

    def embed(self, images: Sequence[Image.Image], /) -> np.ndarray:
        return l2_normalise(self.features(images))

    def preprocess(self, images: Sequence[Image.Image], /) -> np.ndarray:
        """The model's input for ``images``: uint8 [n, crop, crop, 3]. Pillow's resize releases the GIL, so a
        thread can make the next batch's while ``embed_pixels`` runs this one's."""
        return to_uint8_batch(images, spec=self.spec)

    def embed_pixels(self, pixels: np.ndarray, /) -> np.ndarray:
        """``embed`` for input ``preprocess`` made: float32 [n, dim], unit rows."""
        out = np.empty((len(pixels), self.dim), dtype=np.float32)
        for start in range(0, len(pixels), self.batch_size):
            chunk = pixels[start : start + self.batch_size]
            out[start : start + len(chunk)] = self._runner(chunk)
        return l2_normalise(out)

    def classify(self, images: Sequence[Image.Image], /) -> np.ndarray:
        """ImageNet logits [n, 1000], computed in fp32 from the same features ``embed`` uses."""
        if self._head is None:
            raise EncoderUnavailable(f"encoder {self.name!r} has no classification head")
        import torch

        with torch.inference_mode():
            return self._head(torch.from_numpy(self.features(images))).float().numpy()


def _choose_precision(*, module, spec: Preprocess, backend: str) -> tuple[str, Runner]:
    fp32 = build_runner(backend=backend, module=module, spec=spec, precision="fp32")
    if not native_bf16():
        return "fp32", fp32
    bf16 = build_runner(backend=backend, module=module, spec=spec, precision="bf16")
    batch = to_uint8_batch(calibration_images(), spec=spec)
    cosine = min_cosine(fp32(batch), bf16(batch))
    if cosine >= MIN_BF16_COSINE:
        return "bf16", bf16
    logger.warning("bf16 embeddings drift from fp32 (min cosine %.4f < %.2f); using fp32", cosine, MIN_BF16_COSINE)
    return "fp32", fp32


def bf16_agreement(*, encoder: ImageEncoder, images: Sequence[Image.Image]) -> float:
    """Min cosine between ``encoder``'s embeddings and bf16 ones from the same model and backend on ``images``.

    The check behind precision='auto', exposed for real photos (tests, benchmarks); pass an fp32 encoder.
    """
    bf16 = build_runner(backend=encoder.backend, module=encoder._module, spec=encoder.spec, precision="bf16")
    return min_cosine(encoder.features(images), bf16(to_uint8_batch(images, spec=encoder.spec)))
