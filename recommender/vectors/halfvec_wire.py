"""Image vectors to PostgreSQL as binary `halfvec`, by binary COPY into a temporary table.

In: a Django cursor inside a transaction and (embedding id, sha256, float32 vector [dim]) rows.
Out: the rows in the session's temporary table `vitrine_image_vectors (id int8, sha256 text, vector halfvec)`,
for one UPDATE ... FROM it to pick up (recommender.vectors.store.image_vectors_save).

The text form of a 1280-d vector costs about 0.6 ms to format here and as much again for the server to
parse; pgvector's binary `halfvec` (int16 dim, int16 unused, big-endian float16s) is one numpy cast and a
quarter of the bytes. The vectors are unit length, where float16 keeps cosine to float32 above 0.9999.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TABLE = "vitrine_image_vectors"
_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"


def image_vectors_stage(cursor, rows: Sequence[tuple[int, str, np.ndarray]]) -> None:
    """Replace the temporary table's rows with `rows` (the caller's transaction holds them until it ends)."""
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TABLE} (id int8, sha256 text, vector halfvec) "
                   "ON COMMIT DELETE ROWS")
    cursor.execute(f"DELETE FROM {TABLE}")
    if not rows:
        return
    vectors = np.stack([np.asarray(vector, dtype=np.float32).ravel() for _, _, vector in rows])
    n, dim = vectors.shape
    shas = [sha.encode() for _, sha, _ in rows]
    width = max(len(sha) for sha in shas)
    record = np.dtype([
        ("ncols", ">i2"), ("l_id", ">i4"), ("id", ">i8"), ("l_sha", ">i4"), ("sha", f"S{width}"),
        ("l_vec", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("vec", ">f2", (dim,)),
    ])
    block = np.zeros(n, dtype=record)
    block["ncols"], block["l_id"], block["l_vec"], block["dim"] = 3, 8, 4 + 2 * dim, dim
    block["id"] = [embedding_id for embedding_id, _, _ in rows]
    block["l_sha"], block["sha"] = [len(sha) for sha in shas], shas
    block["vec"] = vectors
    if any(len(sha) != width for sha in shas):  # fixed-width records only fit same-length hashes
        payload = b"".join(_record(row) for row in block)
    else:
        payload = block.tobytes()
    with cursor.cursor.copy(f"COPY {TABLE} (id, sha256, vector) FROM STDIN WITH (FORMAT binary)") as copy:
        copy.write(_HEADER + payload + b"\xff\xff")


def _record(row) -> bytes:
    """One record with its sha256 field cut to its own length (hashes of mixed lengths: never in practice)."""
    raw = row.tobytes()
    start = 2 + 4 + 8 + 4
    width = row.dtype["sha"].itemsize
    return raw[:start] + raw[start:start + int(row["l_sha"])] + raw[start + width:]
