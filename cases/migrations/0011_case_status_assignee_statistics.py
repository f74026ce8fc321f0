"""Extended statistics on (status, assignee) of cases, for the queue's plan (PostgreSQL only).

The queue is ``status = 'new' AND assignee IS NULL``: two conditions that mean the same thing
(a new case has no assignee). Multiplied as if independent, their selectivities made PostgreSQL
expect 41 queued cases out of 3.7 million in the largest administration of the 17.5-million
bulk data where there were 12,761 (both conditions 0.3 % of the rows): it then read the whole
queue, joined it and sorted it (160 ms, 12,000 pages) instead of walking
``case_queue_open_idx`` in the page's order and stopping after 51 rows (under a millisecond).
An MCV list over the pair gives the planner the joint frequency (docs/design.md, "Scale").
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS case_status_assignee_stats (mcv) "
    "ON status, assignee_id FROM cases_case"
)
DROP = "DROP STATISTICS IF EXISTS case_status_assignee_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_reply_attachments")]

    operations = [migrations.RunPython(create, drop)]
