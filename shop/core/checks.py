"""System check: the database server has pgvector 0.8 or newer.

Vitrine's filtered nearest-neighbour searches rely on 0.8's iterative index scans and its vectors on
`halfvec`; an older server would answer filtered "looks like" lists with too few rows. Registered with
the database tag, so it runs in `migrate` and `check --database default` (not on every command).
In: the `default` connection. Out: one Error naming the version found, or nothing.
"""

from django.core import checks
from django.db import connections

MINIMUM_PGVECTOR = (0, 8)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


@checks.register(checks.Tags.database)
def pgvector_version_check(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    with connections["default"].cursor() as cursor:
        # The server's library, not the installed SQL objects: an older installed extension over a newer
        # library is what an upgraded data folder looks like, and `migrate` updates it (core 0002).
        cursor.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")
        row = cursor.fetchone()
        found = row[0] if row else None
    return pgvector_problems(found)


def pgvector_problems(found: str | None) -> list[checks.Error]:
    """What is wrong with the server's pgvector version `found` ("0.8.5"; None: not installed)."""
    if found is None:
        return [checks.Error("The PostgreSQL server has no pgvector extension; Vitrine needs pgvector 0.8 or newer.",
                             hint="Install pgvector >= 0.8 on the server DATABASE_URL points at.", id="core.E001")]
    if _version(found) < MINIMUM_PGVECTOR:
        return [checks.Error(f"The PostgreSQL server has pgvector {found}; Vitrine needs 0.8 or newer "
                             "(iterative index scans for filtered searches, halfvec).",
                             hint="Upgrade pgvector on the server, then run `manage.py migrate` "
                                  "(it runs ALTER EXTENSION vector UPDATE).", id="core.E001")]
    return []
