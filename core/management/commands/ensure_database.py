"""Create the configured database if it does not exist yet, so that a first `make run`
with a new DATABASE_URL goes on instead of ending in a traceback. PostgreSQL: created
through the server's maintenance database when the role may; otherwise the command
that does it is printed. SQLite: the folder of the file is made."""

from __future__ import annotations

import shlex
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

MSG_CANNOT_CREATE = (
    'The database "{name}" does not exist and could not be created ({error}).\n'
    "Create it, then run this again:\n    {command}"
)


def _createdb_command(settings: dict) -> str:
    parts = ["createdb"]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            parts += [flag, str(settings[key])]
    parts.append(settings["NAME"])
    return shlex.join(parts)


class Command(BaseCommand):
    help = "Create the configured database if it does not exist yet."
    # Runs before the database (and the development keys) exist: the checks have nothing
    # to say yet but that (runserver runs them once everything is in place).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database: str, **options):
        connection = connections[database]
        if connection.vendor == "sqlite":
            name = str(connection.settings_dict["NAME"])
            if name != ":memory:" and not name.startswith("file:"):
                Path(name).parent.mkdir(parents=True, exist_ok=True)
            return
        if connection.vendor != "postgresql":
            return
        self._ensure_postgresql(connection)

    def _ensure_postgresql(self, connection) -> None:
        import psycopg2
        from psycopg2 import sql

        try:
            connection.ensure_connection()
            return  # it exists (and answers)
        except Exception as error:  # noqa: BLE001 - only "does not exist" is ours to fix
            if "does not exist" not in str(error) or f'"{connection.settings_dict["NAME"]}"' not in str(error):
                raise CommandError(f"Cannot connect to the database: {error}") from error
        params = connection.get_connection_params()
        name = connection.settings_dict["NAME"]
        maintenance = {**params, "dbname": "postgres"}
        maintenance.pop("database", None)
        admin = None
        try:
            admin = psycopg2.connect(**maintenance)
            admin.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg2.Error as error:
            message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(
                MSG_CANNOT_CREATE.format(name=name, error=message, command=_createdb_command(connection.settings_dict))
            ) from error
        finally:
            if admin is not None:
                admin.close()
            connection.close()
        self.stdout.write(f'Created the PostgreSQL database "{name}".')
