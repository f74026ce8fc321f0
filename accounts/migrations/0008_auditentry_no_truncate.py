"""The audit journal refuses TRUNCATE too (UPDATE and DELETE are refused since the append-only
migration). Together with the application's database role, which owns nothing and has no
TRUNCATE privilege (README, "Database roles"), the application cannot erase it."""

from django.db import migrations

PG_UP = """
CREATE TRIGGER accounts_auditentry_no_truncate BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry;"


def up(apps, schema_editor):
    # SQLite (development) has no TRUNCATE.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_administration_reply_references")]
    operations = [migrations.RunPython(up, down)]
