"""Django's SQLite backend on SQLCipher 4 (`sqlcipher3`), keyed before anything else runs.

Django's sqlite3 backend imports the standard `sqlite3` module by name, so this subclass swaps
the DB-API module, registers Django's adapters and converters on it, gives it a cursor of its
own class, and sends `PRAGMA key` as the very first statement of every connection (later is
too late: SQLCipher then reads the file as plain SQLite and fails). The key is raw (64 hex
digits): a passphrase would cost a 256,000-round derivation, about 120 ms, per connection
(shared/VERIFIED.md).

Settings: ENGINE "tbib.dbbackends.sqlcipher", OPTIONS {"key": "<64 hex digits>"}.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Mapping
from itertools import tee
from typing import Any

import sqlcipher3.dbapi2 as Database
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3 import base as sqlite_base
from django.db.backends.sqlite3._functions import (  # type: ignore[import-untyped]
    register as register_functions,
)
from django.utils.dateparse import parse_date, parse_datetime, parse_time

_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")

Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite_base.decoder(parse_date))
Database.register_converter("time", sqlite_base.decoder(parse_time))
Database.register_converter("datetime", sqlite_base.decoder(parse_datetime))
Database.register_converter("timestamp", sqlite_base.decoder(parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, sqlite_base.adapt_date)  # type: ignore[attr-defined]
Database.register_adapter(
    datetime.datetime,
    sqlite_base.adapt_datetime,  # type: ignore[attr-defined]
)


class SQLCipherCursorWrapper(Database.Cursor):
    """Django's "format"/"pyformat" parameters to SQLite's, as SQLiteCursorWrapper does."""

    convert_query = sqlite_base.SQLiteCursorWrapper.convert_query  # type: ignore[attr-defined]

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return super().execute(query)
        names = list(params) if isinstance(params, Mapping) else None
        return super().execute(self.convert_query(query, param_names=names), params)

    def executemany(self, query: str, param_list: Any) -> Any:
        peekable, param_list = tee(iter(param_list))
        first = next(peekable, None)
        names = list(first) if first and isinstance(first, Mapping) else None
        return super().executemany(self.convert_query(query, param_names=names), param_list)


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    vendor = "sqlite"
    display_name = "SQLCipher"
    Database = Database

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        key = str(params.pop("key", ""))
        if not key:
            raise ImproperlyConfigured(
                "This edge is locked: a member of the unit's team unlocks it by signing in."
            )
        if not _HEX_KEY.match(key):
            raise ImproperlyConfigured(
                "The edge database key must be 64 hexadecimal digits (a raw 256-bit key)."
            )
        params["detect_types"] = Database.PARSE_DECLTYPES | Database.PARSE_COLNAMES
        self._cipher_key = key
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = Database.connect(**conn_params)
        conn.execute(f"PRAGMA key = \"x'{self._cipher_key}'\"")
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:  # type: ignore[attr-defined]
            if init_command := init_command.strip():
                conn.execute(init_command)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=SQLCipherCursorWrapper)
