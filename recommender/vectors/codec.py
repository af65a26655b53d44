"""pgvector's wire forms and the index cast: the one place that knows how a vector travels to and from PostgreSQL.

In: float32 numpy vectors (any length). Out: pgvector's text literal (`vector_literal`), the `halfvec(dim)` type
every nearest-neighbour ORDER BY casts to (`index_cast`), float32 vectors back from `vector_send` bytes or text, and
`ef_search_sql(depth)`, the statement that sets how deep an HNSW scan looks (which depth: recommender.vectors.depth).
"""

from __future__ import annotations

import numpy as np


# HNSW indexes hold vectors as `halfvec` (16-bit floats): half the index of `vector`, so twice as much of the
# graph stays in shared buffers, at the same recall (docs/benchmarks.md). halfvec indexes up to 4,000 dims.
INDEX_TYPE = "halfvec"
VECTOR_INDEX_MAX_DIM = 4000
PG_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in unix microseconds
EF_SEARCH_MAX = 1000  # pgvector refuses a deeper hnsw.ef_search
# A text search looks twice as deep as the list it must fill (only active products above the similarity floor are
# kept), and never shallower than pgvector's default.
TEXT_EF_SEARCH_MIN = 40


def index_cast(dim: int) -> str:
    """The type every nearest-neighbour ORDER BY casts both sides to: it must be the index's expression exactly
    (`(vector::halfvec(dim))`) for PostgreSQL to walk the partial HNSW index of that width."""
    return f"{INDEX_TYPE}({int(dim)})"


def ef_search_sql(depth: int, *, local: bool = True) -> str:
    """The statement that sets how deep an HNSW scan looks (`SET LOCAL` inside the caller's transaction)."""
    return f"SET {'LOCAL ' if local else ''}hnsw.ef_search = {min(int(depth), EF_SEARCH_MAX)}"


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form. Text keeps the driver free of per-connection type registration."""
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).ravel()) + "]"


def vector_from_send(raw) -> np.ndarray:
    """pgvector's binary form (`vector_send`: int16 dim, int16 unused, big-endian float32s) -> float32 [dim].

    Reading vectors this way lets NumPy take the bytes as they are; parsing the text form of a 1280-d vector
    costs about 1 ms each."""
    return np.frombuffer(bytes(raw), dtype=">f4", offset=4).astype(np.float32)


def parse_vector(text) -> np.ndarray:
    if isinstance(text, np.ndarray):
        return text.astype(np.float32)
    return np.array(str(text).strip("[]").split(","), dtype=np.float32)


def unit(vector: np.ndarray) -> np.ndarray | None:
    """`vector` scaled to length 1; None for all zeros."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None
