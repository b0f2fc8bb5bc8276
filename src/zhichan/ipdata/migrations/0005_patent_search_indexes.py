"""The PostgreSQL search backend's indexes: pg_trgm for substrings, GIN for words and key lists.

Only on PostgreSQL; on SQLite the table exists but the embedded engine serves searches.
"""

from django.db import migrations

TABLE = "ipdata_patentsearchdoc"
TRGM_COLUMNS = ("ti_s", "ab_s", "cl_s", "pa_s", "in_s", "addr_s", "ag_s")
PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS {TABLE}_{col}_trgm ON {TABLE} USING gin ({col} gin_trgm_ops)"
        for col in TRGM_COLUMNS
    ),
    f"CREATE INDEX IF NOT EXISTS {TABLE}_tx_w_gin ON {TABLE} USING gin (tx_w)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_meta_w_gin ON {TABLE} USING gin (meta_w)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_pn_gin ON {TABLE} USING gin (pn jsonb_path_ops)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_ipc_gin ON {TABLE} USING gin (ipc jsonb_path_ops)",
]
PG_DROP = [
    *(f"DROP INDEX IF EXISTS {TABLE}_{col}_trgm" for col in TRGM_COLUMNS),
    f"DROP INDEX IF EXISTS {TABLE}_tx_w_gin",
    f"DROP INDEX IF EXISTS {TABLE}_meta_w_gin",
    f"DROP INDEX IF EXISTS {TABLE}_pn_gin",
    f"DROP INDEX IF EXISTS {TABLE}_ipc_gin",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ipdata", "0004_patent_search_doc")]

    operations = [migrations.RunPython(forwards, backwards)]
