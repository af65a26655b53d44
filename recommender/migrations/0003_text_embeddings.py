"""Text embeddings for search by meaning, with an HNSW cosine index (m 16, ef_construction 64)."""

import django.db.models.deletion
import django.utils.timezone
import pgvector.django.vector
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_product_search_index"),
        ("recommender", "0002_interactions_and_signals"),
    ]

    operations = [
        migrations.CreateModel(
            name="TextEmbedding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("model", models.CharField(max_length=40)),
                ("text_sha256", models.CharField(max_length=64)),
                ("vector", pgvector.django.vector.VectorField(dimensions=384)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="text_embeddings",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("product", "model"), name="text_embedding_unique_per_model")
                ],
            },
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS text_embedding_hnsw ON recommender_textembedding "
            "USING hnsw (vector vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
            "DROP INDEX IF EXISTS text_embedding_hnsw",
        ),
    ]
