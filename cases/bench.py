"""What the benchmark commands (bench_inbox, bench_drafting) share."""

from django.core.management.base import CommandError
from django.db import connection


def add_allow_sqlite(parser) -> None:
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run on SQLite (numbers not meaningful)"
    )


def require_postgresql(command: str, *, allow_sqlite: bool) -> None:
    """Benchmarks measure the production engine; SQLite only to try a command out."""
    vendor = connection.vendor
    if vendor != "postgresql" and not (vendor == "sqlite" and allow_sqlite):
        raise CommandError(
            f"{command} measures PostgreSQL, and this database is {vendor}. Point "
            "DATABASE_URL at a scratch PostgreSQL database (or pass --allow-sqlite to try "
            "the command on SQLite)."
        )
