"""A trained version served like any encoder, and its label heads as attribute predictions.

In: a version name whose weights file exists (MEDIA_ROOT/models/encoders/<name>.pt, written by train_encoder).
Out: ``build(name, ...)`` -> an ``ImageEncoder`` (same preprocessing as lite0, OpenVINO or PyTorch, the same
bf16-vs-fp32 cosine check), dim EMBED_DIM; ``predict(name, images)`` -> per image {head: [(value, confidence), ...]}
best first (the "fashion vector": leaf category, colour, department, usage, season, attributes).
"""

from __future__ import annotations

import functools
import threading

import numpy as np

from recommender.embeddings.encoders.base import EncoderUnavailable
from recommender.embeddings.encoders.image_encoder import ImageEncoder
from recommender.embeddings.encoders.lite0 import SPEC
from recommender.embeddings.encoders.preprocess import to_uint8_batch
from recommender.embeddings.trained.paths import weights_file, weights_stamp

_lock = threading.Lock()


def available(name: str) -> bool:
    return weights_file(name).is_file()


@functools.lru_cache(maxsize=4)
def _loaded(name: str, stamp: int):
    from recommender.embeddings.trained import model as shop_model

    model, _ = shop_model.load(weights_file(name))
    return model


def loaded(name: str):
    path = weights_file(name)
    if not path.is_file():
        raise EncoderUnavailable(f"encoder {name!r}: no weights file at {path}")
    with _lock:
        return _loaded(name, weights_stamp(name))


def build(name: str, *, precision: str = "auto", backend: str = "auto", batch_size: int = 8):
    from recommender.embeddings.trained.model import EMBED_DIM, ServedEncoder

    model = loaded(name)
    return ImageEncoder(name=name, dim=EMBED_DIM, module=ServedEncoder(model).eval(), head=None, spec=SPEC,
                        precision=precision, backend=backend, batch_size=batch_size)


def probabilities(name: str, images) -> dict[str, np.ndarray]:
    """{head: probabilities [n, values]} of the label heads, in PyTorch fp32 (one more forward pass)."""
    import torch


    model = loaded(name)
    batch = torch.from_numpy(to_uint8_batch(list(images), spec=SPEC)).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    with torch.inference_mode():
        logits = model.logits(model.pooled(batch))
    return {head: torch.softmax(values, dim=1).numpy() for head, values in logits.items()}


def predict(name: str, images, *, top: int = 3) -> list[dict[str, list[tuple[str, float]]]]:
    model = loaded(name)
    probs = probabilities(name, images)
    out = []
    for i in range(len(images)):
        row = {}
        for head, p in probs.items():
            best = np.argsort(-p[i])[:top]
            row[head] = [(model.vocabs[head].values[j], round(float(p[i, j]), 4)) for j in best]
        out.append(row)
    return out


def predicted_for_prior(name: str, images) -> dict:
    """What recommender.search.prior reads: category (and department) probabilities with their names."""
    model = loaded(name)
    probs = probabilities(name, images)
    out = {"category": probs["category"], "names": list(model.vocabs["category"].values)}
    if "department" in probs:
        out["department"], out["department_names"] = probs["department"], list(model.vocabs["department"].values)
    return out
