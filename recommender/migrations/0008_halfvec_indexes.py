"""Product-vector HNSW indexes as halfvec: half the size of `vector` indexes at the same recall.

Each existing `vector` index is rebuilt under its own name with the same width, encoder and graph
parameters (the rebuild reads every vector once: about a minute per 100k 256-d vectors on 2 cores).
Self-contained on purpose: a migration must not change when the app's code does.
"""

import re

from django.db import migrations

FIND = ("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'recommender_productembedding' "
        "AND indexname LIKE 'product_embedding_hnsw_%%' AND indexdef LIKE %s")
SHAPE = re.compile(r"::(?:halfvec|vector)\((\d+)\).*WITH \((.*?)\).*WHERE \(\(?encoder\)?(?:::text)? = '([^']*)'")


def rebuild(apps, schema_editor, *, source: str, target: str):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FIND, [f"%{source}_cosine_ops%"])
        for name, definition in cursor.fetchall():
            shape = SHAPE.search(definition)
            if shape is None:
                raise RuntimeError(f"unexpected index definition, rebuild it by hand: {definition}")
            dim, options, encoder = shape.groups()
            cursor.execute(f"DROP INDEX {name}")
            cursor.execute(
                f"CREATE INDEX {name} ON recommender_productembedding "
                f"USING hnsw ((vector::{target}({dim})) {target}_cosine_ops) WITH ({options}) WHERE encoder = %s",
                [encoder],
            )


class Migration(migrations.Migration):
    dependencies = [("recommender", "0007_ranker_models"), ("core", "0002_vector_extension_update")]
    operations = [
        migrations.RunPython(
            lambda apps, editor: rebuild(apps, editor, source="vector", target="halfvec"),
            lambda apps, editor: rebuild(apps, editor, source="halfvec", target="vector"),
        )
    ]
