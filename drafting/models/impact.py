"""The impact report's fact tables, kept by PostgreSQL triggers (app ``drafting``)."""

from django.db import models
from django.db.models import Q

from drafting.experiment.models import Arm

# --- impact report facts --------------------------------------------------------------------


class ImpactCase(models.Model):
    """One row per experiment case with what the impact report reads of it: a narrow copy of
    the case, its arm and its survey answer, so that the report scans one small table instead
    of joining 200,000 cases to their arms.

    Written only by PostgreSQL triggers on the source tables (cases, arms, survey answers), in
    the same transaction as the change: always current, never written by Python. Plain integer
    columns, not foreign keys: the triggers delete the row with its arm. See docs/design.md,
    "Statistics of the impact report".
    """

    case_id = models.BigIntegerField(primary_key=True)
    administration_id = models.BigIntegerField()
    period_id = models.BigIntegerField()
    arm = models.CharField(max_length=10, choices=Arm.choices)
    channel = models.CharField(max_length=32)
    topic_id = models.BigIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    first_opened_at = models.DateTimeField(null=True)
    answered_at = models.DateTimeField(null=True)
    # answered_at − first_opened_at in seconds, when both are set and in that order.
    handling_seconds = models.FloatField(null=True)
    # Its bucket for the handling-time distribution (drafting.impact._bucket), computed once.
    handling_bucket = models.FloatField(null=True)
    rating = models.PositiveSmallIntegerField(null=True)
    survey_answered = models.CharField(max_length=10, blank=True)
    # The assignee had volunteered when answering: an approved enrolment of the administration,
    # or a withdrawn one whose withdrawal came after the answer. Kept exact by the refresh and
    # by a trigger on enrolments (migration 0011).
    volunteer = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["administration_id", "period_id"],
                include=[
                    "arm",
                    "channel",
                    "topic_id",
                    "assignee_id",
                    "first_opened_at",
                    "answered_at",
                    "handling_seconds",
                    "handling_bucket",
                    "rating",
                    "survey_answered",
                ],
                name="impactcase_report_idx",
            ),
            # The satisfaction figures read the answered surveys only (about one case in ten).
            models.Index(
                fields=["administration_id", "period_id"],
                include=["arm", "channel", "topic_id", "rating", "survey_answered"],
                condition=Q(rating__isnull=False),
                name="impactcase_survey_idx",
            ),
            # An enrolment's change rewrites the volunteer flag of its agent's facts.
            models.Index(
                fields=["administration_id", "assignee_id"],
                condition=Q(assignee_id__isnull=False),
                name="impactcase_assignee_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.arm}"


class ImpactDraft(models.Model):
    """One row per draft of an experiment case, with its case's period, channel and topic:
    the adoption and operations figures scan this table alone. Written by the same triggers."""

    suggestion_id = models.BigIntegerField(primary_key=True)
    case_id = models.BigIntegerField(db_index=True)
    administration_id = models.BigIntegerField()
    period_id = models.BigIntegerField()
    channel = models.CharField(max_length=32)
    topic_id = models.BigIntegerField(null=True)
    backend = models.CharField(max_length=32, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10)
    decision = models.CharField(max_length=10, blank=True)
    discard_reason = models.CharField(max_length=20, blank=True)
    fell_back = models.BooleanField(default=False)
    was_shown = models.BooleanField(default=False)
    similarity = models.FloatField(null=True)
    latency_ms = models.PositiveIntegerField(null=True)
    prompt_tokens = models.PositiveIntegerField(null=True)
    completion_tokens = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["administration_id", "period_id"], name="impactdraft_report_idx"),
            # The latency percentiles read the ready drafts' latencies from this index alone.
            models.Index(
                fields=["administration_id", "period_id"],
                include=["backend", "model_name", "latency_ms", "channel", "topic_id"],
                condition=Q(status="ready", latency_ms__isnull=False),
                name="impactdraft_latency_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.suggestion_id}"
