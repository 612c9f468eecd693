"""SpatiaLite backend that works on Pythons whose sqlite3 cannot load extensions.

pyenv's default build (our CI machine) lacks ``enable_load_extension``; pysqlite3-binary ships
a SQLite that has it. Swapping the module must happen before Django's sqlite3 backend imports.
"""

import sqlite3
import sys

if not hasattr(sqlite3.Connection, "enable_load_extension"):
    try:
        import pysqlite3
        import pysqlite3.dbapi2  # noqa: F401  (Django imports `sqlite3.dbapi2`)
    except ImportError as exc:  # pragma: no cover - depends on the platform
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "This Python's sqlite3 cannot load extensions and pysqlite3-binary is not "
            "installed: run `pip install -r requirements.txt`."
        ) from exc
    sys.modules["sqlite3"] = pysqlite3

from django.contrib.gis.db.backends.spatialite.base import (  # noqa: E402
    DatabaseWrapper as SpatiaLiteDatabaseWrapper,
)
from django.contrib.gis.db.backends.spatialite.schema import (  # noqa: E402
    SpatialiteSchemaEditor,
)


class SchemaEditor(SpatialiteSchemaEditor):
    # SQLite rebuilds a table for most schema changes, dropping each geometry column's index
    # table on the way; a column created without a spatial index has none to drop.
    sql_drop_spatial_index = "DROP TABLE IF EXISTS idx_%(table)s_%(column)s"

    def _remake_table(self, model, *args, **kwargs):
        super()._remake_table(model, *args, **kwargs)
        table = model._meta.db_table
        # Django's rebuild leaves each spatial index detached (no triggers, flagged off in
        # geometry_columns), so bounding-box reads would silently miss new rows: rebuild it.
        for field in model._meta.local_fields:
            if getattr(field, "spatial_index", False) and hasattr(field, "geom_type"):
                if self._spatial_index_enabled(table, field.column):
                    self.execute(f"SELECT DisableSpatialIndex('{table}', '{field.column}')")
                self.execute(f'DROP TABLE IF EXISTS "idx_{table}_{field.column}"')
                self.execute(f"SELECT CreateSpatialIndex('{table}', '{field.column}')")
        # The rebuilt table has lost its triggers; put back the ones the search index needs.
        from mapapp.search_index import ensure_sqlite_search_triggers

        ensure_sqlite_search_triggers(self, table)

    def _spatial_index_enabled(self, table, column):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT spatial_index_enabled FROM geometry_columns "
                "WHERE f_table_name = %s AND f_geometry_column = %s",
                [table.lower(), column.lower()],
            )
            row = cursor.fetchone()
        return bool(row and row[0])


class DatabaseWrapper(SpatiaLiteDatabaseWrapper):
    SchemaEditorClass = SchemaEditor

    def prepare_database(self):
        # Django runs InitSpatialMetaDataFull(1) on SpatiaLite 5, which fails on newer SQLite
        # builds (Django ticket #32935); the plain metadata is all GeoDjango needs.
        with self.cursor() as cursor:
            cursor.execute("PRAGMA table_info(geometry_columns);")
            if cursor.fetchall() == []:
                cursor.execute("SELECT InitSpatialMetaData(1)")

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # Loading SpatiaLite resets SQLite's busy timeout to 5 s; put back the configured one
        # so a writer waits its turn for as long as OPTIONS["timeout"] says.
        timeout_ms = int(conn_params.get("timeout", 5) * 1000)
        connection.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        return connection
