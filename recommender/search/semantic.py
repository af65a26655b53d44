"""Search by meaning: the storefront's SHOP_SEMANTIC_SEARCH_PROVIDER.

In: the shopper's query text and a limit. Out: up to ``limit`` ``(product_id, similarity)`` pairs,
active products only, cosine similarity in [-1, 1], best first. Fewer than ``limit`` means every
relevant product is there; exactly ``limit`` means the list was cut at the cap (the storefront then
says "about N").

The query is embedded with the same offline text model as the products (recommender.embeddings.text)
and matched with one HNSW index scan over recommender_textembedding. A hit is kept when its
similarity is at least SEMANTIC_MIN_SIMILARITY and at least RELATIVE_FLOOR of the best hit's
(``relevant_prefix``). The shop blends the similarities with its full-text rank and applies its own
listing filters.

Nothing comes back, and the model is not loaded, while too few products have text vectors
(coverage.MIN_TEXT_COVERAGE): the search is then full-text only rather than ranked by a handful.
"""

from __future__ import annotations

from collections.abc import Sequence

from recommender.conf import recommender_setting
from recommender.search.coverage import text_vector_coverage
from recommender.embeddings.text import get_text_encoder
from recommender.vectors.text import text_nearest

# Keep hits within 75 % of the best one's similarity. A relative floor fits both the literal queries (best ~0.6,
# where 0.45 is already loose) and the vague ones (best ~0.4, where 0.3 is still related), which no single absolute
# floor does; 0.75 was chosen on labelled queries over two catalogues (docs/search.md, benchmarks/search/).
RELATIVE_FLOOR = 0.75


def relevant_prefix(hits: Sequence[tuple[int, float]], /, *, ratio: float = RELATIVE_FLOOR) -> list[tuple[int, float]]:
    """The hits (best first) whose similarity is at least ``ratio`` of the best one's."""
    if not hits:
        return []
    floor = ratio * hits[0][1] if hits[0][1] > 0 else hits[0][1]
    return [(pid, similarity) for pid, similarity in hits if similarity >= floor]


def semantic_search(query: str, *, limit: int) -> list[tuple[int, float]]:
    query = (query or "").strip()
    model = recommender_setting("TEXT_MODEL")
    if not query or limit <= 0 or not text_vector_coverage(model=model).enough:
        return []
    vector = get_text_encoder(model).embed([query])[0]
    limit = min(limit, int(recommender_setting("SEMANTIC_SEARCH_LIMIT")))
    hits = text_nearest(vector=vector, model=model, limit=limit,
                        min_similarity=float(recommender_setting("SEMANTIC_MIN_SIMILARITY")))
    return relevant_prefix(hits)
