"""Acknowledgements of receipt still to send when this version is deployed get their follow-up
row: the acknowledgements' own sweeper is gone (the follow-ups' sweeper now does its work), so
without a row an acknowledgement whose queued task was lost would never be sent."""

from django.db import migrations


def add_followups(apps, schema_editor):
    Acknowledgement = apps.get_model("cases", "Acknowledgement")
    FollowUp = apps.get_model("accounts", "FollowUp")
    waiting = Acknowledgement.objects.filter(status__in=["pending", "sending"]).values_list(
        "pk", flat=True
    )
    covered = set(
        FollowUp.objects.filter(
            kind="mail.acknowledgement", status__in=["pending", "running"]
        ).values_list("payload__acknowledgement_id", flat=True)
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(kind="mail.acknowledgement", payload={"acknowledgement_id": pk})
            for pk in waiting.iterator()
            if pk not in covered
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_case_status_assignee_statistics"),
        ("accounts", "0011_merge_followups"),
    ]

    operations = [migrations.RunPython(add_followups, migrations.RunPython.noop)]
