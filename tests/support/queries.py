"""What the ORM asked of the database: the row locks a piece of code takes."""

from __future__ import annotations

import contextlib
from unittest import mock

from django.db.models.sql.compiler import SQLCompiler


@contextlib.contextmanager
def locking_selects():
    """(model label, joins other tables?, FOR UPDATE OF) of every SELECT … FOR UPDATE
    compiled meanwhile, whatever the database (SQLite compiles the query, then leaves
    the clause out)."""
    seen = []
    original = SQLCompiler.as_sql

    def spy(self, *args, **kwargs):
        query = self.query
        if query.select_for_update:
            seen.append((query.model._meta.label, bool(query.select_related), tuple(query.select_for_update_of)))
        return original(self, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", spy):
        yield seen
