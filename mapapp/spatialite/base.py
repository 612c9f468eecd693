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


class DatabaseWrapper(SpatiaLiteDatabaseWrapper):
    def prepare_database(self):
        # Django runs InitSpatialMetaDataFull(1) on SpatiaLite 5, which fails on newer SQLite
        # builds (Django ticket #32935); the plain metadata is all GeoDjango needs.
        with self.cursor() as cursor:
            cursor.execute("PRAGMA table_info(geometry_columns);")
            if cursor.fetchall() == []:
                cursor.execute("SELECT InitSpatialMetaData(1)")
