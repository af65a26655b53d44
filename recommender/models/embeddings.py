"""Recommender storage: image and product embeddings in pgvector columns.

A vector is always stored with the encoder that made it (`encoder`, e.g. "lite0") and the sha256
of the image bytes it was computed from, so a replaced photo's old vector is never served and a
new encoder can fill in beside the old one before it takes over.

Vectors are pgvector `vector` columns without a fixed dimension (each encoder has its own); the
approximate-nearest-neighbour index is a partial expression index per encoder, cast to that
encoder's dimension (see recommender.embeddings.indexes).
"""

from django.db import models
from django.utils import timezone
from pgvector.django import VectorField

from shop.catalog.models import Product, ProductImage


class EmbeddingStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ImageEmbedding(models.Model):
    """One image's vector under one encoder. Written only by recommender.embeddings.service."""

    image = models.ForeignKey(ProductImage, related_name="embeddings", on_delete=models.CASCADE)
    encoder = models.CharField(max_length=40)
    # Of the bytes the vector was computed from; compared with ProductImage.sha256 before serving.
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=EmbeddingStatus.choices, default=EmbeddingStatus.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    vector = VectorField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["image", "encoder"], name="image_embedding_unique_per_encoder"),
        ]
        indexes = [models.Index(fields=["encoder", "status"])]

    def __str__(self):
        return f"{self.encoder} embedding of image {self.image_id} ({self.status})"


class ProductEmbedding(models.Model):
    """A product's vector under one encoder: the normalised mean of its ready image vectors.

    Rebuilt whenever one of its image embeddings changes; deleted when its images change, so
    what is here is always current.
    """

    product = models.ForeignKey(Product, related_name="embeddings", on_delete=models.CASCADE)
    encoder = models.CharField(max_length=40)
    vector = VectorField()
    images = models.PositiveSmallIntegerField(default=1, help_text="how many image vectors were averaged")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "encoder"], name="product_embedding_unique_per_encoder"),
        ]
        indexes = [models.Index(fields=["encoder", "product"])]

    def __str__(self):
        return f"{self.encoder} embedding of product {self.product_id}"
