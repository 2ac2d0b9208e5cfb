"""Persistence for the hub: the ``Store`` protocol and the embedded SQLite store.

:class:`Store` is the handful of table operations the :class:`~dchkit.Hub` needs;
:class:`SQLiteStore` implements it on one SQLite file (WAL mode, explicit transactions,
versioned schema) or in memory. Another database is one more class with the same verbs.

Examples:
    >>> from dchkit.store import SQLiteStore, Store
    >>> isinstance(SQLiteStore(), Store)
    True
"""

from dchkit.store.base import TABLES, Store, TableSpec, Where
from dchkit.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "TABLES", "SQLiteStore", "Store", "TableSpec", "Where"]
