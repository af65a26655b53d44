"""The one door to pgvector: every statement that writes, reads or searches a vector is in this package.

- `codec`: the wire forms (text literal, `vector_send` bytes), the `halfvec(dim)` cast that must match the partial
  HNSW indexes and the `hnsw.ef_search` statement;
- `depth`: the one `hnsw.ef_search` policy (`ef_search_for`: how deep a scan looks for how many rows), raised to
  the depth `calibration` measured on the shop's own index at each compact refit;
- `bulk`: the product-vector table in bulk (read in one query, append by binary COPY, one HNSW index per encoder);
- `store`: image vectors written, product vectors kept in step with their images, which encoder serves, a
  product's unit vectors, look-alikes of several anchors in one statement;
- `nearest`: the nearest products to a query vector under catalogue filters (exact or iterative HNSW scan);
- `text`: text vectors written and searched (search by meaning);
- `compact`, `compact_store`, `projection`: the compact (PCA) serving vectors, their maths, their rows and the
  projection they apply.

Raw SQL belongs here, in the behaviour rebuild (recommender.behaviour.services) and in the interactions' bulk
insert (recommender.interactions.services); everywhere else goes through the ORM or through these functions.
"""
