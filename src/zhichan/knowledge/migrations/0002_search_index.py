"""The search engine's database side: an FTS5 trigram table on SQLite, pg_trgm on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
    "title, body, content='knowledge_searchentry', content_rowid='id', tokenize='trigram')",
    # Triggers keep the FTS table in step with its content table, whoever writes it.
    "CREATE TRIGGER knowledge_fts_ai AFTER INSERT ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER knowledge_fts_ad AFTER DELETE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER knowledge_fts_au AFTER UPDATE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_fts(knowledge_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO knowledge_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS knowledge_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_fts_au",
    "DROP TABLE IF EXISTS knowledge_fts",
]
PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS knowledge_searchentry_title_trgm "
    "ON knowledge_searchentry USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS knowledge_searchentry_body_trgm "
    "ON knowledge_searchentry USING gin (body gin_trgm_ops)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS knowledge_searchentry_title_trgm",
    "DROP INDEX IF EXISTS knowledge_searchentry_body_trgm",
]


def _run(statements, schema_editor):
    for sql in statements:
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(SQLITE_CREATE, schema_editor)
    elif vendor == "postgresql":
        _run(PG_CREATE, schema_editor)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(SQLITE_DROP, schema_editor)
    elif vendor == "postgresql":
        _run(PG_DROP, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
