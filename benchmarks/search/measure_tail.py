"""Measure where search by meaning's tail should be cut: which similarity rule keeps the related
products among the nearest 100 and drops the loosely related ones.

Run (from the repository root, after `manage.py embed_texts --sync` for the demo shop):
    .venv/bin/python manage.py shell -c "exec(open('benchmarks/search/measure_tail.py').read())"

Catalogues: the shop's own products with their stored text vectors (the demo shop), and, when
../shared/data/fashion-5k is present, its 5,000 rows turned into unsaved products exactly as the
importer builds them (the text embedded here; nothing is written).
Each query is labelled with the leaf categories a shopper would accept. For every query the nearest
100 products above the absolute floor (0.25, what the shop asked before) are the pool; a rule keeps a
prefix of the pool. precision = kept relevant / kept; recall = kept relevant / relevant in the pool.
Out: one line per rule with mean precision, recall, F1 and F0.5 (precision counted twice as much:
the complaint is the loose tail) over the queries of each catalogue, and how many hits it keeps.
TAIL_CACHE=/some/file.npy keeps fashion-5k's text vectors between runs (they take minutes on 2 cores).
"""

import csv
import os
from pathlib import Path

import numpy as np
from django.conf import settings

from recommender.models import TextEmbedding
from recommender.embeddings.text import get_text_encoder, product_text
from shop.catalog.models import Category, Product

POOL, ABSOLUTE = 100, 0.25
DEMO_QUERIES = {
    "jeans": {"Trousers"},
    "blue summer dress": {"Dresses"},
    "something to wear at the beach": {"Shorts", "Hats", "Sunglasses"},
    "beach": {"Shorts", "Hats", "Sunglasses"},
    "warm clothes for winter": {"Sweaters", "Jackets", "Scarves"},
    "something for the office": {"Shirts", "Trousers"},
    "trainers": {"Sneakers"},
    "a bag for my laptop": {"Bags"},
    "protect my eyes from the sun": {"Sunglasses"},
    "a coat": {"Jackets"},
    "jumper": {"Sweaters"},
    "tee": {"T-shirts"},
    "keep my neck warm": {"Scarves"},
    "cap": {"Hats"},
    "evening gown": {"Dresses"},
    "pants": {"Trousers", "Shorts"},
}
FASHION_QUERIES = {
    "something to tell the time on my wrist": {"Watches"},
    "jeans": {"Jeans"},
    "something to wear at the beach": {"Flip Flops", "Shorts", "Sandals", "Sunglasses", "Caps", "Sports Sandals"},
    "beach": {"Flip Flops", "Shorts", "Sandals", "Sunglasses", "Caps", "Sports Sandals"},
    "warm clothes for winter": {"Sweaters", "Sweatshirts", "Jackets", "Mufflers", "Gloves", "Scarves"},
    "office wear": {"Shirts", "Trousers", "Formal Shoes", "Ties"},
    "running shoes": {"Sports Shoes"},
    "a bag for my laptop": {"Laptop Bag", "Backpacks"},
    "protect my eyes from the sun": {"Sunglasses"},
    "smell nice": {"Perfume and Body Mist", "Deodorant", "Fragrance Gift Set"},
    "something to keep my money in": {"Wallets"},
    "underwear": {"Briefs", "Trunk", "Innerwear Vests", "Bra", "Boxers"},
    "high heels for a party": {"Heels"},
    "traditional indian clothing": {"Kurtas", "Kurtis", "Kurta Sets", "Dupatta", "Churidar"},
    "blue summer dress": {"Dresses"},
    "pullover": {"Sweaters", "Sweatshirts"},
    "cap": {"Caps", "Hat"},
    "slippers": {"Flip Flops"},
}
RULES = (
    [("absolute", t) for t in (0.25, 0.30, 0.35, 0.40, 0.45, 0.50)]
    + [("ratio", r) for r in (0.60, 0.65, 0.70, 0.725, 0.75, 0.775, 0.80, 0.85, 0.90)]
    + [("gap", d) for d in (0.05, 0.10, 0.15, 0.20, 0.25)]
)


def keeps(rule, similarities):
    kind, value = rule
    best = similarities[0] if len(similarities) else 0.0
    floor = {"absolute": value, "ratio": value * best, "gap": best - value}[kind]
    return similarities >= max(floor, ABSOLUTE)


def evaluate(name, vectors, categories, queries, encoder):
    query_vectors = encoder.embed(list(queries))
    rows = {rule: [] for rule in RULES}
    for (query, relevant), q in zip(queries.items(), query_vectors):
        similarity = vectors @ q
        order = np.argsort(-similarity)[:POOL]
        order = order[similarity[order] >= ABSOLUTE]
        pool_sims = similarity[order]
        hit = np.array([categories[i] in relevant for i in order], dtype=bool)
        for rule in RULES:
            kept = keeps(rule, pool_sims)
            n_kept, n_hit = int(kept.sum()), int((hit & kept).sum())
            p = n_hit / n_kept if n_kept else 0.0
            r = n_hit / hit.sum() if hit.sum() else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            f_half = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
            rows[rule].append((p, r, f, f_half, n_kept))
    print(f"\n{name}: {len(categories)} products, {len(queries)} queries, pool = nearest {POOL} >= {ABSOLUTE}")
    print(f"{'rule':<16} precision recall   F1   F0.5  kept (mean)")
    for rule, values in rows.items():
        p, r, f, f_half, n = np.mean(values, axis=0)
        print(f"{rule[0]:<9}{rule[1]:<7.3f} {p:9.3f} {r:6.3f} {f:6.3f} {f_half:6.3f} {n:8.1f}")


encoder = get_text_encoder()
model = encoder.name
stored = list(
    TextEmbedding.objects.filter(model=model, product__is_active=True)
    .values_list("vector", "product__category__name")
)
if stored:
    evaluate("demo shop", np.array([np.asarray(v, dtype=np.float32) for v, _ in stored]),
             [c for _, c in stored], DEMO_QUERIES, encoder)

folder = Path(settings.BASE_DIR).parent / "shared" / "data" / "fashion-5k"
if (folder / "styles.csv").exists():
    from shop.catalog.importer import _parse, _product_fields

    with open(folder / "styles.csv", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        index = {name: i for i, name in enumerate(header)}
        parsed = []
        for line, values in enumerate(reader, start=2):
            try:
                parsed.append(_parse(values, index=index, width=len(header), line=line))
            except ValueError:
                pass
    tree: dict = {}

    def leaf(path):
        parent = None
        for depth in range(1, 4):
            key = path[:depth]
            tree.setdefault(key, Category(name=key[-1], parent=parent))
            parent = tree[key]
        return parent

    products = [Product(**_product_fields(row, category=leaf(row.path))) for row in parsed]
    cache = os.environ.get("TAIL_CACHE")
    if cache and Path(cache).exists():
        vectors = np.load(cache)
    else:
        vectors = encoder.embed([product_text(p) for p in products])
        if cache:
            np.save(cache, vectors)
    evaluate("fashion-5k", vectors, [p.category.name for p in products], FASHION_QUERIES, encoder)
