"""Per-period rollups of the impact report's fact tables, kept by PostgreSQL triggers.

Each table is the fact table grouped by the columns the unfiltered report reads (one
administration, one period or all), with counts and sums: the report reads a few thousand
rows of them instead of every fact of the period. Statement-level triggers on ``ImpactCase``
and ``ImpactDraft`` subtract the old rows and add the new ones in the same transaction as the
change (migration 0011), so they are exact whenever the facts are. Never written by Python.
Sums of floats are ``numeric`` (each value rounded to 15 decimals first): adding and
subtracting them is exact, so a rollup always equals its recomputation. See docs/design.md,
"Statistics of the impact report".
"""

from django.db import models

from drafting.experiment.models import Arm

# Sums of floats: each value is cast to numeric(40, 15) before it is added (migration 0011), so
# every addition and subtraction is exact.
SUM_DIGITS, SUM_DECIMALS = 40, 15


class ImpactHandlingRollup(models.Model):
    """Experiment cases per period, arm, volunteer flag and handling bucket (NULL: not
    measured), with the sum of their handling seconds: per arm the case totals and the
    handling-time distribution of the volunteers' answered cases. The flag is the facts'
    only where a bucket is (false on the rows of unmeasured cases)."""

    administration_id = models.BigIntegerField()
    period_id = models.BigIntegerField()
    arm = models.CharField(max_length=10, choices=Arm.choices)
    volunteer = models.BooleanField()
    handling_bucket = models.FloatField(null=True)
    cases = models.BigIntegerField()
    seconds = models.DecimalField(max_digits=SUM_DIGITS, decimal_places=SUM_DECIMALS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration_id", "period_id", "arm", "volunteer", "handling_bucket"],
                nulls_distinct=False,
                name="impacthandling_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.arm} · {self.handling_bucket}: {self.cases}"


class ImpactSatisfactionRollup(models.Model):
    """Survey answers per period, arm, rating and answer."""

    administration_id = models.BigIntegerField()
    period_id = models.BigIntegerField()
    arm = models.CharField(max_length=10, choices=Arm.choices)
    rating = models.PositiveSmallIntegerField()
    survey_answered = models.CharField(max_length=10, blank=True)
    responses = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration_id", "period_id", "arm", "rating", "survey_answered"],
                name="impactsatisfaction_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.arm} · {self.rating}: {self.responses}"


class ImpactAdoptionRollup(models.Model):
    """Drafts per period, backend, model, decision, discard reason, channel and topic, with the
    conditional counts and sums of the adoption and operations figures."""

    administration_id = models.BigIntegerField()
    period_id = models.BigIntegerField()
    backend = models.CharField(max_length=32, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=10, blank=True)
    discard_reason = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=32)
    topic_id = models.BigIntegerField(null=True)
    drafts = models.BigIntegerField()
    ready = models.BigIntegerField()
    failed = models.BigIntegerField()
    fell_back = models.BigIntegerField()
    shown = models.BigIntegerField()
    # Over the drafts shown and edited: the sum of their similarities and how many have one.
    similarity_sum = models.DecimalField(max_digits=SUM_DIGITS, decimal_places=SUM_DECIMALS)
    similarity_n = models.BigIntegerField()
    prompt_tokens = models.BigIntegerField()
    completion_tokens = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "administration_id",
                    "period_id",
                    "backend",
                    "model_name",
                    "decision",
                    "discard_reason",
                    "channel",
                    "topic_id",
                ],
                nulls_distinct=False,
                name="impactadoption_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.backend}/{self.model_name}: {self.drafts}"


class ImpactLatencyRollup(models.Model):
    """Ready drafts with a latency, per period, backend, model and latency (whole ms)."""

    administration_id = models.BigIntegerField()
    period_id = models.BigIntegerField()
    backend = models.CharField(max_length=32, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    latency_ms = models.PositiveIntegerField()
    drafts = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration_id", "period_id", "backend", "model_name", "latency_ms"],
                name="impactlatency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.backend}/{self.model_name} · {self.latency_ms}"
