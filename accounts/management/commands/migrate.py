"""Django's ``migrate``, run as the schema's owner however it is started (README, "Database
roles").

The web and the workers connect as the application's role (``DATABASE_URL``), which may not
change the schema. Looking at ``sys.argv`` in the settings caught ``manage.py migrate`` only:
``python -m django migrate``, ``django-admin`` under another name or ``call_command("migrate")``
ran as the application's role and stopped on a traceback ("permission denied for schema
public"). Here the command itself connects with ``DATABASE_MIGRATE_URL``'s role and password
(to the same database); without it, it refuses at once, naming the setting, when the role it
has may not create tables.
"""

from __future__ import annotations

from typing import Any

import environ
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

# What the owner's URL changes on the connection; the database stays the one DATABASE_URL names
# (or the test database the test runner put in its place).
OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs as the schema's owner (DATABASE_MIGRATE_URL) when set."

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor == "postgresql":
            if settings.DATABASE_MIGRATE_URL and options["database"] == "default":
                switch_to_owner(connection, settings.DATABASE_MIGRATE_URL)
            require_schema_rights(connection)
        super().handle(*args, **options)


def switch_to_owner(connection: BaseDatabaseWrapper, url: str) -> None:
    owner = environ.Env.db_url_config(url)
    configured = environ.Env().db("DATABASE_URL", default="")
    if configured and owner.get("NAME") != configured.get("NAME"):
        raise CommandError(
            f"DATABASE_MIGRATE_URL names the database {owner.get('NAME')!r} but DATABASE_URL "
            f"names {configured.get('NAME')!r}: both must name the database the application "
            'uses (README, "Database roles").'
        )
    connection.close()
    for key in OWNER_KEYS:
        if key in owner:
            connection.settings_dict[key] = owner[key]
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        raise CommandError(
            f"Cannot connect as the schema's owner (DATABASE_MIGRATE_URL): {error}".strip()
        ) from error


def require_schema_rights(connection: BaseDatabaseWrapper) -> None:
    """A role that may not create tables in the schema cannot migrate: say so before the first
    migration, rather than a traceback halfway."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, has_schema_privilege('public', 'CREATE')")
            user, may_create = cursor.fetchone()
    except DatabaseError as error:
        raise CommandError(f"Cannot connect to the database: {error}".strip()) from error
    if not may_create:
        setting = "DATABASE_MIGRATE_URL" if settings.DATABASE_MIGRATE_URL else "DATABASE_URL"
        raise CommandError(
            f"The database role {user!r} ({setting}) may not change the schema, so it cannot "
            "run migrations. Set DATABASE_MIGRATE_URL to the schema owner's URL (README, "
            '"Database roles"); the web and the workers keep DATABASE_URL.'
        )
