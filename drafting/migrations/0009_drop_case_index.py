"""Answered cases are no longer indexed for search: past replies reach drafts only through the
answer bank (drafting/answers). Deletes the old rows of kind "case" (their postings first), then
drops the column and the choice. Backwards, the column comes back empty: the rows are not
rebuilt (nothing reads them)."""

from django.db import migrations, models


def delete_case_rows(apps, schema_editor):
    Posting = apps.get_model("drafting", "Posting")
    SearchDocument = apps.get_model("drafting", "SearchDocument")
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # The foreign keys are checked at commit: check them now, or the ALTER TABLE below
            # finds "pending trigger events" on the table.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Plain DELETEs: there may be millions of postings, and nothing else points at them.
        cursor.execute(f"DELETE FROM {Posting._meta.db_table} WHERE kind = %s", ["case"])
        cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table} WHERE kind = %s", ["case"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_administration_reply_references"),
        ("drafting", "0008_embeddings"),
    ]

    operations = [
        migrations.RunPython(delete_case_rows, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="searchdocument",
            name="searchdocument_kind_matches_target",
        ),
        migrations.RemoveField(
            model_name="searchdocument",
            name="case",
        ),
        migrations.AlterField(
            model_name="posting",
            name="kind",
            field=models.CharField(choices=[("passage", "Knowledge passage")], max_length=10),
        ),
        migrations.AlterField(
            model_name="searchdocument",
            name="kind",
            field=models.CharField(choices=[("passage", "Knowledge passage")], max_length=10),
        ),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "passage"), ("passage__isnull", False)),
                name="searchdocument_kind_matches_target",
            ),
        ),
    ]
