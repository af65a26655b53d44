"""The figures an encoder version is judged by, from image files, exact cosine in numpy.

In: an ``embed`` callable (PIL images -> unit rows, e.g. a registered encoder's ``embed``), the held-out half of the
catalogue, the whole catalogue (the pool a shopper photo searches), shopper photos by class, and optionally a
``categorise`` callable (PIL images -> {"category": probabilities [n, C]}, plus its category names) for the
predicted-category figures of a trained model's head.
Out: a flat dict:
- ``p_at_10``: share of the 10 nearest held-out products in the query's leaf category (queries and pool: held-out);
- ``colour_agreement``: the same share for base colour;
- ``own_photo_first``: a flipped or cropped, re-compressed copy of a held-out photo finds its own product first;
- ``shopper_hit_at_10``: share of a shopper photo's 10 nearest catalogue products of the right kind
  (labels.SHOPPER_CLASSES); ``shopper_any_at_10``: at least one of them right; ``shopper_success_at_1``;
  ``shopper_category_accuracy``: the neighbours' vote (recommender.search.photo.category_vote) names a right
  category ("not sure" counts as wrong); ``shopper_head_accuracy``: the category head's top class is right;
  ``*_prior``: the same search re-ranked with the predicted category and department as a soft prior
  (recommender.search.prior); ``per_class``: {class: {hit_at_10, success_at_1, category_accuracy, photos}}.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageOps

from recommender.embeddings.trained.labels import SHOPPER_CLASSES
from recommender.embeddings.trained.served import predicted_for_prior
from recommender.encoder_training.data import CatalogueItem, ShopperPhoto
from recommender.evaluation.visual import precision_at_k_same_category
from recommender.search.photo import category_vote
from recommender.search.prior import PRIOR_WEIGHT, prior_rerank

K = 10
BATCH = 64
Embed = Callable[[Sequence[Image.Image]], np.ndarray]


def load(path: str) -> Image.Image:
    with Image.open(path) as image:
        image.draft("RGB", (256, 256))
        return image.convert("RGB")


def embed_paths(embed: Embed, paths: Sequence[str]) -> np.ndarray:
    chunks = [embed([load(p) for p in paths[start:start + BATCH]]) for start in range(0, len(paths), BATCH)]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.empty((0, 0), np.float32)


def query_jpeg(image: Image.Image, index: int) -> bytes:
    """What bench photo asks with: mirrored, or the centre 80 %, and JPEG-compressed at quality 90."""
    if index % 2:
        width, height = image.size
        image = image.crop((int(width * 0.1), int(height * 0.1), int(width * 0.9), int(height * 0.9)))
    else:
        image = ImageOps.mirror(image)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def query_copy(path: str, index: int) -> Image.Image:
    """`query_jpeg` of the photo at `path`, decoded again."""
    return Image.open(io.BytesIO(query_jpeg(load(path), index))).convert("RGB")


def own_photo_rows(count: int, *, queries: int = 1000) -> list[int]:
    step = max(1, count // max(1, queries))
    return list(range(0, count, step))[:queries]


def catalogue_figures(embed: Embed, held: Sequence[CatalogueItem], *, own_photo_queries: int = 1000) -> dict:
    rows = own_photo_rows(len(held), queries=own_photo_queries)
    vectors = embed_paths(embed, [item.path for item in held])
    queries = np.concatenate([embed([query_copy(held[i].path, i) for i in rows[s:s + BATCH]])
                              for s in range(0, len(rows), BATCH)]) if rows else np.empty((0, 0), np.float32)
    return catalogue_figures_from(vectors, held, queries=queries, rows=rows)


def catalogue_figures_from(vectors: np.ndarray, held: Sequence[CatalogueItem], *, queries: np.ndarray,
                           rows: Sequence[int]) -> dict:
    """The catalogue figures from vectors already computed: ``queries[j]`` is the copy of ``held[rows[j]]``."""
    categories = np.array([item.category for item in held])
    colours = np.array([item.colour or f"?{i}" for i, item in enumerate(held)])
    asked, p = precision_at_k_same_category(vectors, categories, k=K)
    _, colour = precision_at_k_same_category(vectors, colours, k=K)
    firsts = int((np.argmax(queries @ vectors.T, axis=1) == np.asarray(rows)).sum()) if len(rows) else 0
    return {"products": asked, "p_at_10": round(p, 4), "colour_agreement": round(colour, 4),
            "own_photo_first": round(firsts / max(1, len(rows)), 4), "own_photo_queries": len(rows)}


def shopper_figures(embed: Embed, pool: Sequence[CatalogueItem], photos: Sequence[ShopperPhoto], *,
                    categorise=None) -> dict:
    if not photos or not pool:
        return {}
    pool_vectors = embed_paths(embed, [item.path for item in pool])
    queries, predicted = [], []
    for start in range(0, len(photos), BATCH):
        images = [load(photo.path) for photo in photos[start:start + BATCH]]
        queries.append(embed(images))
        if categorise is not None:
            predicted.append(categorise(images))
    merged = None
    if predicted:
        merged = {key: (np.concatenate([p[key] for p in predicted]) if key in ("category", "department")
                        else predicted[0][key]) for key in predicted[0]}
    return shopper_figures_from(np.concatenate(queries), pool_vectors, pool, photos, predicted=merged)


def shopper_figures_from(queries: np.ndarray, pool_vectors: np.ndarray, pool: Sequence[CatalogueItem],
                         photos: Sequence[ShopperPhoto], *, predicted: dict | None = None,
                         prior_weight: float | None = None) -> dict:
    """Search the pool with each shopper photo's vector; the figures above (and per class)."""

    if not photos or not pool:
        return {}
    pool_categories = [item.category for item in pool]
    pool_departments = [item.department for item in pool]
    weight = PRIOR_WEIGHT if prior_weight is None else prior_weight
    rows = {key: [] for key in ("hit", "any", "first", "vote", "head", "hit_prior", "first_prior")}
    per_class: dict[str, dict[str, list]] = {}
    sims_all = queries @ pool_vectors.T
    for j, photo in enumerate(photos):
        sims = sims_all[j]
        right = set(SHOPPER_CLASSES.get(photo.shopper_class, ()))
        order = np.argsort(-sims)[:max(K, 50)]
        top = [pool_categories[i] in right for i in order[:K]]
        vote = category_vote([(pool_categories[i], float(sims[i])) for i in order[:K]])
        row = {"hit": float(np.mean(top)), "any": float(any(top)), "first": float(top[0]),
               "vote": float(vote.category_id in right)}
        if predicted is not None:
            row["head"] = float(predicted["names"][int(np.argmax(predicted["category"][j]))] in right)
            reranked = prior_rerank([(int(i), float(sims[i])) for i in order], predicted=predicted, index=j,
                                    categories=pool_categories, departments=pool_departments, weight=weight)
            hits = [pool_categories[i] in right for i, _ in reranked[:K]]
            row["hit_prior"], row["first_prior"] = float(np.mean(hits)), float(hits[0])
        for key, value in row.items():
            rows[key].append(value)
            per_class.setdefault(photo.shopper_class, {}).setdefault(key, []).append(value)

    def mean(values):
        return round(float(np.mean(values)), 4) if values else None

    figures = {"shopper_photos": len(photos), "shopper_pool": len(pool),
               "shopper_hit_at_10": mean(rows["hit"]), "shopper_any_at_10": mean(rows["any"]),
               "shopper_success_at_1": mean(rows["first"]), "shopper_category_accuracy": mean(rows["vote"])}
    if rows["head"]:
        figures.update({"shopper_head_accuracy": mean(rows["head"]), "shopper_hit_at_10_prior": mean(rows["hit_prior"]),
                        "shopper_success_at_1_prior": mean(rows["first_prior"]), "prior_weight": weight})
    figures["per_class"] = {
        name: {"photos": len(values["hit"]), "hit_at_10": mean(values["hit"]), "success_at_1": mean(values["first"]),
               "category_accuracy": mean(values["vote"]),
               **({"head_accuracy": mean(values["head"]), "hit_at_10_prior": mean(values["hit_prior"])}
                  if values.get("head") else {})}
        for name, values in sorted(per_class.items())
    }
    return figures


def embed_paths_images(embed: Embed, factories: Sequence[Callable[[], Image.Image]]) -> np.ndarray:
    """Like embed_paths, for images made on the fly (query copies), a batch at a time."""
    chunks = [embed([make() for make in factories[start:start + BATCH]]) for start in range(0, len(factories), BATCH)]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.empty((0, 0), np.float32)


def predicted_for_paths(encoder_name: str, paths: Sequence[str]) -> dict:
    """A trained version's category (and department) probabilities for these photos, for the prior and the head."""

    parts = [predicted_for_prior(encoder_name, [load(p) for p in paths[start:start + BATCH]])
             for start in range(0, len(paths), BATCH)]
    merged = dict(parts[0])
    for key in ("category", "department"):
        if key in merged:
            merged[key] = np.concatenate([part[key] for part in parts])
    return merged
