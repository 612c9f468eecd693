"""The full-text index behind EntryQuerySet.search, for each database.

PostgreSQL: a GIN index on to_tsvector('simple', search_text). SpatiaLite: an FTS5 table kept
in step by triggers. Accent folding is off in FTS5 so that plain words match exactly as in
PostgreSQL's 'simple' configuration.
"""

ENTRY_TABLE = "mapapp_entry"
SQLITE_TABLE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS mapapp_entry_fts USING fts5(search_text, "
    "content='mapapp_entry', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS mapapp_entry_fts_ai AFTER INSERT ON mapapp_entry BEGIN "
    "INSERT INTO mapapp_entry_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS mapapp_entry_fts_ad AFTER DELETE ON mapapp_entry BEGIN "
    "INSERT INTO mapapp_entry_fts(mapapp_entry_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS mapapp_entry_fts_au AFTER UPDATE OF search_text "
    "ON mapapp_entry BEGIN "
    "INSERT INTO mapapp_entry_fts(mapapp_entry_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO mapapp_entry_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_REBUILD = "INSERT INTO mapapp_entry_fts(mapapp_entry_fts) VALUES ('rebuild')"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS mapapp_entry_fts_ai",
    "DROP TRIGGER IF EXISTS mapapp_entry_fts_ad",
    "DROP TRIGGER IF EXISTS mapapp_entry_fts_au",
    "DROP TABLE IF EXISTS mapapp_entry_fts",
]
POSTGRES_CREATE = [
    "CREATE INDEX IF NOT EXISTS entry_search_gin ON mapapp_entry "
    "USING GIN (to_tsvector('simple'::regconfig, search_text))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS entry_search_gin"]


def create_search_index(schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TABLE + SQLITE_TRIGGERS + [SQLITE_REBUILD]:
            schema_editor.execute(statement)
    else:
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)


def drop_search_index(schema_editor):
    statements = SQLITE_DROP if schema_editor.connection.vendor == "sqlite" else POSTGRES_DROP
    for statement in statements:
        schema_editor.execute(statement)


def ensure_sqlite_search_triggers(schema_editor, table):
    """Recreate the FTS triggers after SQLite rebuilt the entry table (they die with it)."""
    if table != ENTRY_TABLE:
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'mapapp_entry_fts'")
        if cursor.fetchone() is None:
            return  # the search index migration has not run yet
    for statement in SQLITE_TRIGGERS:
        schema_editor.execute(statement)
