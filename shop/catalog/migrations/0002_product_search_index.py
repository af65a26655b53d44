"""Full-text search over name (weight A), brand (B) and description (D).

An expression index rather than a stored column: nothing to keep in sync. The expression must stay
identical to selectors.SEARCH_DOCUMENT_SQL for PostgreSQL to use it.
"""

from django.db import migrations

INDEX = "catalog_product_search_gin"
DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(brand, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'D')"
)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product USING gin (({DOCUMENT}))",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
