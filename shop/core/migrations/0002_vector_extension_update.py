from django.db import migrations


class Migration(migrations.Migration):
    """Bring pgvector's SQL objects up to the server's library (0.6.2 in data folders made by pgserver
    0.1.4, 0.8.5 in the embedded server now): halfvec and iterative index scans need 0.8's objects.
    A no-op where the extension is already at the installed version."""

    dependencies = [("core", "0001_vector_extension")]
    operations = [migrations.RunSQL("ALTER EXTENSION vector UPDATE", reverse_sql=migrations.RunSQL.noop)]
