"""Optional encoders from torchvision, usable only where their ImageNet weights are already on disk.

In: ``build_resnet50(...)`` / ``build_mobilenet_v3_large(...)`` with precision, backend, batch_size.
Out: an ``ImageEncoder``: 'resnet50' (dim 2048) or 'mobilenet_v3_large' (dim 960), pooled features before
the classifier. The weights are torchvision's DEFAULT ones (IMAGENET1K_V2), read from
``torch.hub.get_dir()/checkpoints/<file>`` (``$TORCH_HOME/hub/checkpoints``). Nothing is ever downloaded:
the models are built with ``weights=None`` and a missing file raises ``EncoderUnavailable`` naming it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from recommender.embeddings.encoders.base import EncoderUnavailable
from recommender.embeddings.encoders.image_encoder import DEFAULT_BATCH_SIZE, ImageEncoder
from recommender.embeddings.encoders.preprocess import Preprocess


def checkpoint_path(weights) -> Path:
    """Where torch.hub would have cached ``weights``; computed from its URL without touching the network."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints" / weights.url.rsplit("/", 1)[-1]


def _load_state(*, name: str, weights) -> dict:
    import torch

    path = checkpoint_path(weights)
    if not path.is_file():
        raise EncoderUnavailable(
            f"encoder {name!r} needs its weights file {path.name} at {path} "
            f"(torchvision {weights}); this project never downloads weights"
        )
    return torch.load(path, map_location="cpu", weights_only=True)


def _spec(weights) -> Preprocess:
    # The weights' own evaluation transform (resize 232 for the V2 recipes, bilinear, ImageNet mean/std).
    transform = weights.transforms()
    return Preprocess(
        resize=transform.resize_size[0],
        crop=transform.crop_size[0],
        mean=tuple(transform.mean),
        std=tuple(transform.std),
        resample=Image.Resampling[transform.interpolation.name],
    )


def build_resnet50(*, precision: str = "auto", backend: str = "auto", batch_size: int = DEFAULT_BATCH_SIZE):
    import torch
    from torchvision.models import ResNet50_Weights, resnet50

    weights = ResNet50_Weights.IMAGENET1K_V2
    state = _load_state(name="resnet50", weights=weights)
    model = resnet50(weights=None)
    model.load_state_dict(state, strict=True)
    head, model.fc = model.fc, torch.nn.Identity()
    return ImageEncoder(
        name="resnet50",
        dim=2048,
        module=model.eval(),
        head=head,
        spec=_spec(weights),
        precision=precision,
        backend=backend,
        batch_size=batch_size,
    )


def build_mobilenet_v3_large(*, precision: str = "auto", backend: str = "auto", batch_size: int = DEFAULT_BATCH_SIZE):
    import torch
    from torchvision.models import MobileNet_V3_Large_Weights, mobilenet_v3_large

    weights = MobileNet_V3_Large_Weights.IMAGENET1K_V2
    state = _load_state(name="mobilenet_v3_large", weights=weights)
    model = mobilenet_v3_large(weights=None)
    model.load_state_dict(state, strict=True)
    # The 960-d pooled backbone output: the classifier's first layer is trained for ImageNet's labels.
    module = torch.nn.Sequential(model.features, model.avgpool, torch.nn.Flatten(1))
    return ImageEncoder(
        name="mobilenet_v3_large",
        dim=960,
        module=module.eval(),
        head=model.classifier,
        spec=_spec(weights),
        precision=precision,
        backend=backend,
        batch_size=batch_size,
    )
