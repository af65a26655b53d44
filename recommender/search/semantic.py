"""Search by meaning: the storefront's SHOP_SEMANTIC_SEARCH_PROVIDER.

In: the shopper's query text and a limit. Out: up to ``limit`` ``(product_id, similarity)`` pairs,
active products only, cosine similarity in [-1, 1] (>= SEMANTIC_MIN_SIMILARITY), best first.

The query is embedded with the same offline text model as the products (recommender.search.text)
and matched with one HNSW index scan over recommender_textembedding. The shop blends the
similarities with its full-text rank and applies its own listing filters. With no text vectors
stored yet it answers [] without loading the model (one cheap EXISTS query).
"""

from __future__ import annotations

from django.db import connection, transaction

from recommender.conf import recommender_setting
from recommender.embeddings.store import vector_literal
from recommender.models import TextEmbedding
from recommender.search.text import get_text_encoder


def semantic_search(query: str, *, limit: int) -> list[tuple[int, float]]:
    query = (query or "").strip()
    model = recommender_setting("TEXT_MODEL")
    if not query or limit <= 0 or not TextEmbedding.objects.filter(model=model).exists():
        return []
    vector = get_text_encoder(model).embed([query])[0]
    limit = min(limit, int(recommender_setting("SEMANTIC_SEARCH_LIMIT")))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL hnsw.ef_search = {max(40, min(limit * 2, 1000))}")
        cursor.execute(
            """
            WITH near AS MATERIALIZED (
                SELECT product_id, vector <=> %s::vector AS distance
                  FROM recommender_textembedding
                 WHERE model = %s
                 ORDER BY vector <=> %s::vector
                 LIMIT %s
            )
            SELECT near.product_id, 1 - near.distance AS similarity
              FROM near JOIN catalog_product p ON p.id = near.product_id
             WHERE p.is_active AND 1 - near.distance >= %s
             ORDER BY near.distance, near.product_id
            """,
            [vector_literal(vector), model, vector_literal(vector), limit,
             float(recommender_setting("SEMANTIC_MIN_SIMILARITY"))],
        )
        return [(pid, float(similarity)) for pid, similarity in cursor.fetchall()]
