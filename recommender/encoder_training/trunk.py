"""The frozen lower part of Lite0 computed once per view, and the trained upper part run on what it left.

Why: on the 2 shared CPU cores a full forward and backward pass of Lite0 runs at about 3 images a second (measured
while six other agents ran tests), so a 45-minute budget would see each product barely once. The stem and the first
``cut`` blocks keep their ImageNet weights (and BatchNorm statistics), so their output for a given augmented view
never changes: it is computed once, stored as float16 on disk, and every epoch trains the upper blocks, the
embedding head and the label heads on it.

What this measured (2026-12-01, 2 cores under a load of 10-13 from other agents): with cut 11 (the last two stages
training on stored 14 x 14 x 112 activations) the upper part trained at 1.6 samples a second, so a 40-minute budget
would not have seen the training half once. The default is therefore FROZEN: the stored views are the pooled 1280-d
features and the embedding and label heads train on them (hundreds of samples a second); a cut below 16 trains
blocks from there on where the hardware allows (``--cut``, e.g. on a GPU).

In: images (PIL), a cut (block index, or FROZEN).
Out: ``trunk(model, x)`` -> activations; ``upper(model, acts)`` -> pooled [n, 1280]; ``Chunks``: a folder of
``chunk-NNNN.pt`` files (acts float16, labels, right), written in order and skipped on resume.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from recommender.embeddings.encoders.preprocess import Preprocess
from recommender.embeddings.encoders.runners import build_runner, openvino_available

FROZEN = 17  # a cut past the 16 blocks: the whole backbone (and its pooling) is frozen; views are pooled features
DEFAULT_CUT = FROZEN


def trunk(backbone, x: torch.Tensor, *, cut: int) -> torch.Tensor:
    if cut >= FROZEN:
        return backbone.features(x)
    x = F.relu6(backbone._bn0(backbone._conv_stem(x)))
    for block in backbone._blocks[:cut]:
        x = block(x)
    return x


class Trunk(torch.nn.Module):
    """``trunk`` as a module, for the OpenVINO runner (about 2.7x PyTorch's fp32 speed on these CPUs)."""

    def __init__(self, backbone, *, cut: int):
        super().__init__()
        self.backbone, self.cut = backbone, cut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return trunk(self.backbone, x, cut=self.cut)


def trunk_runner(backbone, *, cut: int, size: int, device):
    """uint8 NHWC [n, size, size, 3] -> float32 activations: OpenVINO on a CPU where it is installed, else torch."""

    spec = Preprocess(resize=size, crop=size, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    backend = "openvino" if device.type == "cpu" and openvino_available() else "torch"
    if backend == "torch":
        def run(batch):
            x = torch.from_numpy(batch).permute(0, 3, 1, 2).float().to(device) / 127.5 - 1.0
            with torch.inference_mode():
                return trunk(backbone, x, cut=cut).float().cpu().numpy()
        return run
    return build_runner(backend=backend, module=Trunk(backbone, cut=cut).eval(), spec=spec, precision="fp32")


def upper(backbone, acts: torch.Tensor, *, cut: int) -> torch.Tensor:
    if cut >= FROZEN:
        return acts
    x = acts
    for block in backbone._blocks[cut:]:
        x = block(x)
    x = F.relu6(backbone._bn1(backbone._conv_head(x)))
    return x.mean(dim=(2, 3))


def same_trunk(a, b, *, cut: int) -> bool:
    """Whether two backbones compute the same lower part (the trained one froze it at ImageNet's weights)."""
    def lower_state(backbone):
        modules = [backbone._conv_stem, backbone._bn0, *backbone._blocks[:cut]]
        if cut >= FROZEN:
            modules += [backbone._conv_head, backbone._bn1]
        return [t for m in modules for t in m.state_dict().values()]

    return all(torch.equal(x, y) for x, y in zip(lower_state(a), lower_state(b), strict=True))


class Chunks:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, index: int) -> Path:
        return self.folder / f"chunk-{index:04d}.pt"

    def done(self) -> int:
        """How many chunks are complete (written through a temporary name, so a partial one never counts)."""
        n = 0
        while self.path(n).is_file():
            n += 1
        return n

    def write(self, index: int, **tensors) -> None:
        tmp = self.path(index).with_suffix(".tmp")
        torch.save(tensors, tmp)
        tmp.replace(self.path(index))

    def load_all(self) -> dict[str, torch.Tensor]:
        parts = [torch.load(self.path(i), weights_only=True) for i in range(self.done())]
        if not parts:
            return {}
        return {key: torch.cat([part[key] for part in parts]) for key in parts[0]}
