"""Text embeddings of products for search by meaning.

One row per (product, text model): the 384-d sentence embedding of the product's name, description,
category path and attributes (see recommender.embeddings.text.product_text), and the sha256 of that text,
so a product whose text changed is found stale and re-embedded. Written only by
recommender.embeddings.text_service; searched through the HNSW cosine index made in the migration.
"""

from django.db import models
from django.utils import timezone
from pgvector.django import VectorField

from shop.catalog.models import Product

# all-MiniLM-L6-v2. A model of another width needs a column (and index) of its own: a migration.
TEXT_DIM = 384


class TextEmbedding(models.Model):
    product = models.ForeignKey(Product, related_name="text_embeddings", on_delete=models.CASCADE)
    model = models.CharField(max_length=40)
    text_sha256 = models.CharField(max_length=64)
    vector = VectorField(dimensions=TEXT_DIM)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "model"], name="text_embedding_unique_per_model"),
        ]

    def __str__(self):
        return f"{self.model} text embedding of product {self.product_id}"
