"""One training run of a shop encoder version, within a time budget, resumable from its checkpoint.

In: ``TrainConfig`` (version name, minutes, seed, device, ...), the catalogue in PostgreSQL, shopper-photos/train
(optional; never validation). Out: ``TrainResult`` with the weights file (MEDIA_ROOT/models/encoders/<version>.pt,
what the encoder registry serves), the learning curve and whether the budget ran out before the schedule ended.

Phases, each checkpointed under MEDIA_ROOT/models/encoders/work/<version>/ so a killed run resumes where it was:
1. views: per training-half product one plain view and ``views - 1`` phone-like ones (augment.phone_like), per
   shopper train photo ``shopper_views`` (augment.shopper_like), through the frozen trunk (trunk.py), in chunks;
   at most CACHE_SHARE of the budget, plain views of every product first;
2. epochs over the stored views: upper blocks + embedding head (proxy loss, CosFace margin) + label heads, AdamW,
   warm-up then cosine decay over the budget's time; a checkpoint every CHECKPOINT_SECONDS;
3. learning curve: ``curve_points`` times, P@10 on a fixed subset of the held-out half (queries and pool) and
   shopper-photo figures on that pool, first for the ImageNet weights. Reported only: nothing is chosen by it.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from recommender.embeddings.trained import model as shop_model
from recommender.embeddings.trained.labels import Vocab, vocabularies
from recommender.encoder_training.batches import Samples
from recommender.encoder_training.data import catalogue_items, shopper_photos, split
from recommender.embeddings.trained.paths import models_dir, weights_file, work_dir  # noqa: F401 (re-exported)

from recommender.embeddings.encoders.lite0 import load_model
from recommender.embeddings.trained.labels import SHOPPER_CLASSES
from recommender.encoder_training import augment
from recommender.encoder_training.evaluate import catalogue_figures_from, shopper_figures_from
from recommender.encoder_training.trunk import DEFAULT_CUT, Chunks, upper

logger = logging.getLogger(__name__)
CHUNK = 128  # views per stored chunk
CACHE_SHARE = 0.4  # the views may take at most this share of the budget; training gets the rest
CHECKPOINT_SECONDS = 90
HEAD_WEIGHTS = {"category": 0.5}
OTHER_HEAD_WEIGHT = 0.25


@dataclass
class TrainConfig:
    version: str
    minutes: float = 40.0
    seed: int = 7
    device: str = "cpu"
    size: int = 224
    cut: int = DEFAULT_CUT
    views: int = 3
    shopper_views: int = 1
    shopper_train: str | None = None
    shopper_validation: str | None = None
    batch: int = 64
    lr: float = 2e-3
    backbone_lr: float = 5e-4
    limit: int | None = None
    curve_points: int = 5
    curve_products: int = 400
    epochs: float | None = None  # stop after this many passes even with budget left (None: the budget decides)


@dataclass
class TrainResult:
    weights: Path
    curve: list[dict] = field(default_factory=list)
    state: dict = field(default_factory=dict)


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA GPU is visible to torch here; use --device cpu")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}; use cpu or cuda")
    return torch.device(name)


def train_run(config: TrainConfig, *, progress: Callable[[str, float, dict], None] | None = None) -> TrainResult:
    say = progress or (lambda step, fraction, info: logger.info("%s %.0f%% %s", step, 100 * fraction, info))
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    work = work_dir(config.version)
    work.mkdir(parents=True, exist_ok=True)
    checkpoint = work / "checkpoint.pt"
    items = catalogue_items(limit=config.limit)
    train_items, held = split(items)
    shoppers = shopper_photos(config.shopper_train)
    if checkpoint.is_file():
        blob = torch.load(checkpoint, map_location="cpu", weights_only=True)
        vocabs = {h: Vocab(tuple(v)) for h, v in blob["vocabs"].items()}
        model = shop_model.ShopEncoder(vocabs)
        model.load_state_dict(blob["model"])
        state = blob["state"]
        say("resumed", 0.0, {"elapsed_s": round(state["elapsed"]), "phase": state["phase"]})
    else:
        vocabs = vocabularies(train_items)
        if "category" not in vocabs:
            raise ValueError("training needs products in at least two leaf categories with 3+ photos each")
        model = shop_model.from_imagenet(vocabs)
        blob, state = None, {"elapsed": 0.0, "phase": "views", "epoch": 0, "position": 0, "step": 0, "curve": [],
                             "train_started": None, "samples": 0}
    model.freeze_below(config.cut)
    model.to(device)
    budget = config.minutes * 60
    started, before = time.monotonic(), state["elapsed"]

    def clock() -> float:
        return before + time.monotonic() - started

    def save_checkpoint(optimizer=None) -> None:
        state["elapsed"] = clock()
        torch.save({"model": model.state_dict(), "vocabs": {h: list(v.values) for h, v in vocabs.items()},
                    "state": state, "config": asdict(config),
                    "optimizer": optimizer.state_dict() if optimizer is not None else None}, work / "checkpoint.tmp")
        (work / "checkpoint.tmp").replace(checkpoint)

    views = _view_list(len(train_items), len(shoppers), config)
    samples = Samples(catalogue=train_items, shoppers=shoppers, vocabs=vocabs, size=config.size, seed=config.seed)
    chunks = Chunks(work / "views")
    if state["phase"] == "views":
        _build_views(model, samples, views, chunks, device=device, cut=config.cut, clock=clock,
                     limit=budget * CACHE_SHARE, say=say, save=save_checkpoint)
        state["phase"] = "train"
        save_checkpoint()
    stored = chunks.load_all()
    curve_set = _curve_set(model, held, config, work=work, device=device, vocabs=vocabs)
    if not state["curve"]:
        state["curve"].append({"step": 0, "epoch": 0.0, "minutes": round(clock() / 60, 2), "weights": "imagenet",
                               **_curve_figures(None, curve_set, config=config, device=device)})
        say("curve", 0.0, state["curve"][-1])
    optimizer = _optimizer(model, config)
    if blob is not None and blob.get("optimizer"):
        optimizer.load_state_dict(blob["optimizer"])
    if state["train_started"] is None:
        state["train_started"] = clock()
    _train(model, optimizer, stored, state, config=config, device=device, clock=clock, budget=budget,
           curve_set=curve_set, say=say, save=save_checkpoint)
    state["phase"] = "done"
    save_checkpoint(optimizer)
    shop_model.save(model.cpu(), weights_file(config.version), config=asdict(config),
                    figures={"curve": state["curve"]})
    return TrainResult(weights=weights_file(config.version), curve=state["curve"], state=state)


def _view_list(catalogue: int, shoppers: int, config: TrainConfig) -> list[tuple[int, int]]:
    """(sample index, view) in the order they are stored: every product's plain view first, then the others."""
    order = [(i, 0) for i in range(catalogue)]
    for view in range(1, config.views):
        order += [(i, view) for i in range(catalogue)]
    for view in range(config.shopper_views):
        order += [(catalogue + i, view + 1) for i in range(shoppers)]
    rng = random.Random(config.seed)
    head, tail = order[:catalogue], order[catalogue:]
    rng.shuffle(tail)  # a budget cut short keeps a mix of both kinds
    return head + tail


def _build_views(model, samples: Samples, views, chunks: Chunks, *, device, cut: int, clock, limit: float, say,
                 save) -> None:
    from recommender.encoder_training.trunk import trunk_runner

    model.eval()
    run = trunk_runner(model.backbone, cut=cut, size=samples.size, device=device)
    total = math.ceil(len(views) / CHUNK)
    for index in range(chunks.done(), total):
        if clock() > limit and index > 0:
            say("views", index / total, {"stopped_at_chunk": index, "reason": "views' share of the budget used"})
            return
        images, labels, rights = [], [], []
        for sample, view in views[index * CHUNK:(index + 1) * CHUNK]:
            samples.epoch = view
            image, label, right = samples[sample]
            images.append(image)
            labels.append(label)
            rights.append(right)
        batch = np.stack(images)
        acts = torch.cat([torch.from_numpy(run(batch[s:s + 16])).half() for s in range(0, len(batch), 16)])
        chunks.write(index, acts=acts, labels=torch.stack(labels), right=torch.stack(rights))
        save()
        say("views", (index + 1) / total, {"chunk": index + 1, "chunks": total, "minutes": round(clock() / 60, 2)})


def _open(path: str):
    from recommender.encoder_training.batches import _open as open_image

    return open_image(path)


def _optimizer(model, config: TrainConfig) -> torch.optim.Optimizer:
    backbone = [p for p in model.backbone.parameters() if p.requires_grad]
    rest = [p for name, p in model.named_parameters() if not name.startswith("backbone.")]
    groups = [{"params": backbone, "lr": config.backbone_lr, "base_lr": config.backbone_lr},
              {"params": rest, "lr": config.lr, "base_lr": config.lr}]
    return torch.optim.AdamW([group for group in groups if group["params"]], weight_decay=1e-4)


def multi_positive_loss(logits: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    """-log(probability mass on the right classes), over rows that have one."""
    rows = right.any(dim=1)
    if not rows.any():
        return logits.sum() * 0
    logits, right = logits[rows], right[rows]
    positive = torch.logsumexp(logits.masked_fill(~right, -1e4), dim=1)
    return (torch.logsumexp(logits, dim=1) - positive).mean()


def batch_loss(model, acts, labels, right, *, cut: int) -> torch.Tensor:
    pooled = upper(model.backbone, acts, cut=cut)
    embedding = model.learned(pooled)
    proxy = model.proxy_logits(embedding) - shop_model.PROXY_SCALE * shop_model.PROXY_MARGIN * right.float()
    loss = multi_positive_loss(proxy, right)
    logits = model.logits(pooled)
    for h, head in enumerate(model.vocabs):
        if head == "category":
            loss = loss + HEAD_WEIGHTS["category"] * multi_positive_loss(logits[head], right)
        elif (labels[:, h] >= 0).any():
            loss = loss + OTHER_HEAD_WEIGHT * F.cross_entropy(logits[head], labels[:, h], ignore_index=-1)
    return loss


def _train(model, optimizer, stored, state, *, config, device, clock, budget, curve_set, say, save) -> None:
    n = len(stored["acts"])
    start = state["train_started"]
    span = max(budget - start, 1.0)
    next_curve = start + span * (len(state["curve"])) / config.curve_points
    last_save = time.monotonic()
    model.train()

    def going() -> bool:
        return clock() < budget and (config.epochs is None or state["samples"] < config.epochs * n)

    while going():
        order = torch.randperm(n, generator=torch.Generator().manual_seed(config.seed * 7919 + state["epoch"]))
        while state["position"] < n and going():
            # Over the passes when they are capped (the same schedule on any machine), else over the budget's time.
            fraction = (state["samples"] / (config.epochs * n) if config.epochs is not None
                        else (clock() - start) / span)
            factor = min(1.0, fraction / 0.05) * 0.5 * (1 + math.cos(math.pi * min(fraction, 1.0)))
            for group in optimizer.param_groups:
                group["lr"] = group["base_lr"] * max(factor, 0.02)
            rows = order[state["position"]:state["position"] + config.batch]
            acts = stored["acts"][rows].to(device).float()
            loss = batch_loss(model, acts, stored["labels"][rows].to(device), stored["right"][rows].to(device),
                              cut=config.cut)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            state["position"] += len(rows)
            state["step"] += 1
            state["samples"] += len(rows)
            state["last_loss"] = round(float(loss.detach()), 4)
            if clock() >= next_curve or not going():
                model.eval()
                point = {"step": state["step"], "epoch": round(state["samples"] / n, 2),
                         "minutes": round(clock() / 60, 2), "loss": state["last_loss"],
                         **_curve_figures(model, curve_set, config=config, device=device)}
                model.train()
                state["curve"].append(point)
                say("curve", min(1.0, clock() / budget), point)
                next_curve = start + span * len(state["curve"]) / config.curve_points
                save(optimizer)
                last_save = time.monotonic()
            elif time.monotonic() - last_save > CHECKPOINT_SECONDS:
                save(optimizer)
                last_save = time.monotonic()
                say("train", min(1.0, clock() / budget), {"step": state["step"], "loss": state["last_loss"],
                                                          "epoch": round(state["samples"] / n, 2)})
        if state["position"] >= n:
            state["epoch"] += 1
            state["position"] = 0


def _curve_set(model, held, config: TrainConfig, *, work: Path, device, vocabs) -> dict:
    """Trunk activations of a fixed held-out subset (plain) and of the validation photos, stored once."""

    rng = random.Random(config.seed)
    subset = sorted(rng.sample(range(len(held)), min(config.curve_products, len(held))))
    items = [held[i] for i in subset]
    photos = [p for p in shopper_photos(config.shopper_validation) if p.shopper_class in SHOPPER_CLASSES]
    chunks = Chunks(work / "curve")
    if chunks.done() == 0:
        from recommender.encoder_training.trunk import trunk_runner

        model.eval()
        run = trunk_runner(model.backbone, cut=config.cut, size=config.size, device=device)
        paths = [item.path for item in items] + [photo.path for photo in photos]
        acts = [torch.from_numpy(run(np.stack([np.asarray(augment.plain(_open(p), size=config.size))
                                               for p in paths[s:s + 16]]))).half()
                for s in range(0, len(paths), 16)]
        chunks.write(0, acts=torch.cat(acts) if acts else torch.empty(0))
    acts = chunks.load_all()["acts"]
    return {"items": items, "photos": photos, "acts": acts, "imagenet": None}


def _curve_figures(model, curve_set: dict, *, config: TrainConfig, device) -> dict:
    items, photos, acts = curve_set["items"], curve_set["photos"], curve_set["acts"]
    if not len(acts):
        return {}
    with torch.inference_mode():
        if model is None:  # the ImageNet weights: their pooled features, as lite0 serves them
            backbone = load_model().to(device)
            pooled = torch.cat([upper(backbone, acts[s:s + 64].to(device).float(), cut=config.cut)
                                for s in range(0, len(acts), 64)])
            vectors, predicted = F.normalize(pooled, dim=1).cpu().numpy(), None
        else:
            pooled = torch.cat([upper(model.backbone, acts[s:s + 64].to(device).float(), cut=config.cut)
                                for s in range(0, len(acts), 64)])
            vectors = model.embed_pooled(pooled).cpu().numpy()
            predicted = _predicted(model, pooled[len(items):])
    pool, queries = vectors[:len(items)], vectors[len(items):]
    figures = catalogue_figures_from(pool, items, queries=np.empty((0, pool.shape[1]), np.float32), rows=[])
    figures.pop("own_photo_first")
    figures.pop("own_photo_queries")
    shopper = shopper_figures_from(queries, pool, items, photos, predicted=predicted)
    shopper.pop("per_class", None)
    return {**figures, **shopper}


def _predicted(model, pooled: torch.Tensor) -> dict:
    logits = model.logits(pooled)
    out = {"category": torch.softmax(logits["category"], dim=1).cpu().numpy(),
           "names": list(model.vocabs["category"].values)}
    if "department" in logits:
        out["department"] = torch.softmax(logits["department"], dim=1).cpu().numpy()
        out["department_names"] = list(model.vocabs["department"].values)
    return out
