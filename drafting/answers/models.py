"""The answer bank's table (app label ``drafting``; registered through drafting/models.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration
from cases.models import Case, Reply, Topic


class BankAnswer(models.Model):
    """A reusable answer of an administration: a model answer (chosen or written by people)
    or a learned one (a sent reply that passed the bank's rules). Question and answer are
    stored anonymised; the answer holds the substance only (no greeting, closing, signature,
    markers or identifiers)."""

    class Kind(models.TextChoices):
        MODEL = "model", _("Model answer")
        LEARNED = "learned", _("Learned answer")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    administration = models.ForeignKey(
        Administration,
        verbose_name=_("administration"),
        on_delete=models.CASCADE,
        related_name="bank_answers",
        # Every index below starts with the administration: a lone one is dead weight.
        db_index=False,
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("state"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    source_case = models.ForeignKey(
        Case,
        verbose_name=_("source case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_reply = models.ForeignKey(
        Reply,
        verbose_name=_("source reply"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uses = models.PositiveIntegerField(_("uses"), default=0)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    quality = models.FloatField(
        _("quality"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("From 0 to 1: survey rating and the agent's decision on the draft."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bank answer")
        verbose_name_plural = _("bank answers")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["model", "learned"]), name="bankanswer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "retired"]), name="bankanswer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(quality__gte=0) & Q(quality__lte=1), name="bankanswer_quality_range"
            ),
            models.CheckConstraint(
                condition=~Q(question="") & ~Q(answer=""), name="bankanswer_not_empty"
            ),
            # A reply enters the bank once (learning is retried by the sweep: idempotent).
            models.UniqueConstraint(
                fields=["source_reply"],
                condition=Q(source_reply__isnull=False),
                name="bankanswer_reply_once",
            ),
        ]
        indexes = [
            # The bounded read of drafting: one administration's active answers, and its
            # version stamp (count, newest update) from the index alone.
            models.Index(
                fields=["administration", "status", "updated_at"], name="bankanswer_read_idx"
            ),
            # Eviction: the least useful active learned answers first.
            models.Index(
                fields=["administration", "kind", "status", "uses", "quality"],
                name="bankanswer_evict_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.get_kind_display()} · {self.question[:60]}"
