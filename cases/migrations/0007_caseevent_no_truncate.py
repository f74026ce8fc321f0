"""The case journal refuses TRUNCATE too (UPDATE and DELETE are refused since the append-only
migration). Together with the application's database role, which owns nothing and has no
TRUNCATE privilege (README, "Database roles"), the application cannot erase it."""

from django.db import migrations

PG_UP = """
CREATE TRIGGER cases_caseevent_no_truncate BEFORE TRUNCATE ON cases_caseevent
    FOR EACH STATEMENT EXECUTE FUNCTION cases_caseevent_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS cases_caseevent_no_truncate ON cases_caseevent;"


def up(apps, schema_editor):
    # SQLite (development) has no TRUNCATE.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_intake_and_delivery")]
    operations = [migrations.RunPython(up, down)]
