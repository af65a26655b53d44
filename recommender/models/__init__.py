"""Recommender models, one module per concern; Django finds them all through this package."""

from recommender.models.embeddings import EmbeddingStatus, ImageEmbedding, ProductEmbedding

__all__ = ["EmbeddingStatus", "ImageEmbedding", "ProductEmbedding"]
