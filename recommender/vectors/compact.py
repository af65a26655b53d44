"""Compact serving vectors: the encoder's image vectors projected onto their top principal components (pure numpy).

Why: a nearest-neighbour query's cost is distance computations, linear in the width. lite0's vectors are 1280-d;
on the imported fashion-5k catalogue the top 256 principal components hold 91 % of their variance, and same-category
P@10 and same-colour share of the neighbours do not get worse (docs/benchmarks.md, "Compact vectors"). So the shop serves 256-d vectors and keeps the raw ones beside them.

What is learned from what: principal component analysis, unsupervised. In: the product vectors of the source encoder
(rows L2-normalised); no label is read. Learned: their mean [d] and the top `dims` eigenvectors of their covariance
[dims, d]. Out: `Projection.apply` (recommender.vectors.projection) = normalise(components · (normalise(v) - mean)).

A compact encoder is named after its source and width ("lite0-pca256"), so its rows sit beside the source's in
ProductEmbedding with their own partial HNSW index.
"""

from __future__ import annotations

import re

import numpy as np

from recommender.vectors.projection import Projection, row_blocks, unit_rows

METHOD = "pca"
_NAME = re.compile(r"^(?P<source>.+)-pca(?P<dims>\d+)$")


def compact_name(source: str, dims: int) -> str:
    return f"{source}-{METHOD}{int(dims)}"


def compact_parts(name: str) -> tuple[str, int] | None:
    """(source encoder, width) of a compact encoder's name, None for any other name."""
    match = _NAME.match(name or "")
    return (match["source"], int(match["dims"])) if match else None


def compact_source(name: str) -> str | None:
    parts = compact_parts(name)
    return parts[0] if parts else None


def pca_fit(vectors: np.ndarray, *, dims: int) -> Projection:
    """The top `dims` principal components of unit rows. Needs more rows than `dims` and at least `dims` columns.

    Mean and covariance are summed block by block in float64 (two passes), so the memory beyond `vectors` is one
    block and a [d, d] matrix, whatever the number of rows."""
    vectors = np.atleast_2d(vectors)
    n, d = vectors.shape
    if dims > d:
        raise ValueError(f"cannot keep {dims} components of {d}-d vectors")
    if n <= dims:
        raise ValueError(f"{n} vectors are too few to learn {dims} components (need more than {dims})")
    total = np.zeros(d)
    for _, block in row_blocks(vectors):
        total += unit_rows(block).sum(axis=0, dtype=np.float64)
    mean = total / n
    covariance = np.zeros((d, d))
    for _, block in row_blocks(vectors):
        centred = unit_rows(block).astype(np.float64) - mean
        covariance += centred.T @ centred
    values, vectors_d = np.linalg.eigh(covariance / n)
    top = np.argsort(values)[::-1][:dims]
    components = vectors_d[:, top].T
    # eigh's signs are arbitrary; fix them so that refitting the same data gives the same vectors.
    signs = np.sign(components[np.arange(dims), np.abs(components).argmax(axis=1)])
    return Projection(matrix=(components * signs[:, None]).astype(np.float32), mean=mean.astype(np.float32))


def explained_variance(vectors: np.ndarray, projection: Projection) -> float:
    """Share of the unit rows' variance around the mean that the components keep (block by block)."""
    total = kept = 0.0
    for _, block in row_blocks(np.atleast_2d(vectors)):
        x = unit_rows(block) - projection.mean
        total += float(np.square(x, dtype=np.float64).sum())
        kept += float(np.square(x @ projection.matrix.T, dtype=np.float64).sum())
    return kept / total if total else 0.0
