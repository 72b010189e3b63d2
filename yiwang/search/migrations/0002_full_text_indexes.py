"""The full-text structures of each database; a no-op on the other one (see search.md)."""

from django.db import migrations

SQLITE_FORWARD = [
    # External content: the tokens are stored once, in search_document; ascii splits only on
    # ASCII spaces and punctuation, which our tokens never contain.
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "tokens, content='search_document', content_rowid='id', tokenize='ascii')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE OF tokens ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER search_fts_update",
    "DROP TRIGGER search_fts_delete",
    "DROP TRIGGER search_fts_insert",
    "DROP TABLE search_fts",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Our own tokens become the lexemes as they are: no parser, no stemming ("simple").
    "ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(tokens, ' '))) STORED",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tsv)",
    "CREATE INDEX search_document_title_trgm ON search_document USING gin (title gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX search_document_title_trgm",
    "DROP INDEX search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN tsv",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
