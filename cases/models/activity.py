"""The workload dashboard's daily activity: one row per administration, local day and
dimension, kept by PostgreSQL triggers on ``cases_case`` (migration 0013; docs/design.md,
"Scale: 17,500,000 cases")."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from accounts.models import Administration


class ActivityKind(models.TextChoices):
    ALL = "a", "all"
    CHANNEL = "c", "channel"
    TOPIC = "t", "topic"


class DailyActivity(models.Model):
    """Cases of one administration created and answered on one local day (``TIME_ZONE``),
    for all cases (kind ``a``, key ``""``), one channel (kind ``c``, key the channel) or one
    topic (kind ``t``, key the topic's id, ``""`` for no topic), with the first-response and
    handling times of the cases answered that day as sparse histograms: ``*_buckets`` the
    bucket numbers in increasing order (``cases.dashboard.activity.bucket_bounds``), ``*_counts``
    how many cases fell in each.

    Written only by the database (triggers, ``cases_activity_rebuild``); read by the
    dashboard's selectors on PostgreSQL. On SQLite (development) the table stays empty and the
    dashboard reads the cases."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    kind = models.CharField(max_length=1, choices=ActivityKind.choices)
    key = models.CharField(max_length=32, blank=True)
    created = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    first_buckets = ArrayField(models.SmallIntegerField(), default=list)
    first_counts = ArrayField(models.IntegerField(), default=list)
    handling_buckets = ArrayField(models.SmallIntegerField(), default=list)
    handling_counts = ArrayField(models.IntegerField(), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "day", "kind", "key"], name="dailyactivity_key"
            )
        ]
        verbose_name = "daily activity"
        verbose_name_plural = "daily activity"

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.day} · {self.kind}:{self.key}"
