"""Measure when photo search's category vote is too weak to name a category.

Run (from the repository root, with the shop's image vectors computed, e.g. after `make run`):
    .venv/bin/python manage.py shell -c "exec(open('benchmarks/search/measure_vote.py').read())"

In-catalogue photos: every product with a vector votes leave-one-out (its own vector left out) among
its PHOTO_VOTE_K nearest products, as photo_search does (photo.category_vote). Out-of-catalogue photos:
flat colours, two-colour splits and noise, which show no product at all, encoded by the real pipeline.
For each rule: the share of in-catalogue votes still named (and how many of those are right), and the
share of out-of-catalogue photos still (wrongly) named.
"""

import io

import numpy as np
from PIL import Image

from recommender.conf import recommender_setting
from recommender.vectors.bulk import product_vectors_read
from recommender.vectors.store import encoder_for_serving
from recommender.search.photo import category_vote, photo_vectors
from shop.catalog.models import Product

K = int(recommender_setting("PHOTO_VOTE_K"))


def shares(neighbours):
    """(winner share, runner-up share, winner) of the weighted vote, as category_vote weighs it."""
    weights = {}
    for category, similarity in neighbours:
        weights[category] = weights.get(category, 0.0) + max(similarity, 0.0) ** 2
    total = sum(weights.values()) or 1.0
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])
    second = ranked[1][1] / total if len(ranked) > 1 else 0.0
    return ranked[0][1] / total, second, ranked[0][0]


def jpeg(image):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def probes():
    rng = np.random.default_rng(7)
    colours = [(40, 80, 200), (200, 30, 40), (250, 250, 250), (10, 10, 10), (30, 160, 60), (240, 200, 40),
               (128, 128, 128), (255, 140, 0), (120, 60, 160), (0, 180, 200)]
    for colour in colours:
        yield f"flat {colour}", Image.new("RGB", (400, 400), colour)
    for a, b in zip(colours, colours[1:]):
        image = Image.new("RGB", (400, 400), a)
        image.paste(Image.new("RGB", (200, 400), b), (200, 0))
        yield f"split {a}/{b}", image
    for seed in range(5):
        yield f"noise {seed}", Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8))


encoder = encoder_for_serving()
ids, vectors = product_vectors_read(encoder=encoder)
vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
category = dict(Product.objects.filter(pk__in=ids.tolist()).values_list("pk", "category_id"))
cats = np.array([category[int(pk)] for pk in ids])

inside = []
for row in range(len(ids)):
    similarity = vectors @ vectors[row]
    similarity[row] = -2.0  # leave one out
    nearest = np.argsort(-similarity)[:K]
    share, second, winner = shares([(cats[i], float(similarity[i])) for i in nearest])
    assert category_vote([(cats[i], float(similarity[i])) for i in nearest]).leader == winner or share == second
    inside.append((share, second, winner == cats[row]))

outside = []
for name, image in probes():
    vector, _ = photo_vectors(jpeg(image), encoder=encoder)
    similarity = vectors @ (vector / np.linalg.norm(vector))
    nearest = np.argsort(-similarity)[:K]
    share, second, _ = shares([(cats[i], float(similarity[i])) for i in nearest])
    outside.append((share, second, name))

inside_a, outside_a = np.array([(s, t, c) for s, t, c in inside], dtype=float), np.array([(s, t) for s, t, _ in outside])
print(f"encoder {encoder}: {len(ids)} products, {len(set(cats))} categories, vote over {K} neighbours")
print(f"in-catalogue accuracy with no rule: {inside_a[:, 2].mean():.3f}")
print("out-of-catalogue winner shares:", " ".join(f"{s:.2f}" for s, _ in outside_a))
print(f"{'rule':<30} named  right-of-named  wrong-named  out-of-catalogue named")
for min_share in (0.0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
    for lead in (1.0, 1.5, 2.0, 3.0):
        named = (inside_a[:, 0] >= min_share) & (inside_a[:, 0] >= lead * inside_a[:, 1])
        out_named = (outside_a[:, 0] >= min_share) & (outside_a[:, 0] >= lead * outside_a[:, 1])
        right = inside_a[named, 2].mean() if named.any() else 0.0
        wrong_named = (named & (inside_a[:, 2] == 0)).sum() / len(inside_a)
        print(f"share >= {min_share:.2f}, lead x{lead:<4.1f}      {named.mean():5.3f}  {right:14.3f}  {wrong_named:11.3f}"
              f"  {out_named.mean():.3f}")
