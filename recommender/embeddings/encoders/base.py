"""The encoder interface every image model implements, and the errors and types it shares.

In: a sequence of PIL images (any mode, any size).
Out: ``embed`` -> float32 array [n, dim] whose rows have unit L2 norm, so a dot product is a cosine in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from PIL import Image

Precision = Literal["auto", "fp32", "bf16"]
Backend = Literal["auto", "openvino", "torch"]


class EncoderUnavailable(RuntimeError):
    """The encoder cannot be built here (unknown name, weights missing locally, backend not installed)."""


@runtime_checkable
class Encoder(Protocol):
    # Stored next to every vector: vectors of different encoders never mix. It names the model and its
    # weights only, not the backend or precision, whose outputs agree within cosine 0.99 by construction.
    name: str
    dim: int

    def embed(self, images: Sequence[Image.Image], /) -> np.ndarray:
        """[n] images -> float32 [n, dim], each row L2-normalised."""
        ...


def l2_normalise(vectors: np.ndarray, /) -> np.ndarray:
    """Rows scaled to unit length as float32; an all-zero row stays zero instead of becoming NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))


def min_cosine(a: np.ndarray, b: np.ndarray, /) -> float:
    """The worst row-wise cosine between two [n, dim] arrays (1.0 for n = 0)."""
    if len(a) == 0:
        return 1.0
    return float(np.min(np.sum(l2_normalise(a) * l2_normalise(b), axis=1)))
