from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """pgvector must exist before any app declares a vector column."""

    initial = True
    dependencies = []
    operations = [VectorExtension()]
