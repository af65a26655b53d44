"""Search by photo and by meaning.

photo.py        an uploaded photo -> nearest products (with filters) + the likely category
vector_query.py filtered nearest-neighbour SQL over product image vectors (exact or HNSW)
text.py         the offline sentence-transformers text encoder and the text a product is embedded from
text_service.py compute, store and reconcile product text vectors
semantic.py     the storefront's SHOP_SEMANTIC_SEARCH_PROVIDER: query -> [(product id, similarity)]
"""
