"""The AI-drafted replies and what agents did with them (app ``drafting``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration
from cases.models import Case, Reply

# --- suggestions ----------------------------------------------------------------------------


class Suggestion(models.Model):
    """An AI-drafted reply for a case, and what the agent did with it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Being drafted")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted as drafted")
        EDITED = "edited", _("Edited before sending")
        DISCARDED = "discarded", _("Discarded")

    class DiscardReason(models.TextChoices):
        WRONG = "wrong", _("Wrong")
        INCOMPLETE = "incomplete", _("Incomplete")
        OUTDATED = "outdated", _("Outdated")
        TONE = "tone", _("Tone")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")
        NOT_USED = "not_used", _("Not used (another reply was sent)")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suggestions")
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveSmallIntegerField(default=1)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    text = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    backend = models.CharField(max_length=32, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    prompt_version = models.CharField(max_length=32, blank=True)
    fell_back = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retrieval_ms = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    # How sure the draft is (0..1): retrieval evidence, and for every backend whether each
    # cited sentence is supported by the source it cites. Below LOW_CONFIDENCE the panel says so.
    confidence = models.FloatField(null=True, blank=True)
    # The sources did not cover the question: the draft says so instead of answering.
    abstained = models.BooleanField(default=False)
    # verify_citations(...).as_dict(): supported / unsupported / uncited counts and the flagged
    # sentences, shown to the agent.
    verification = models.JSONField(default=dict, blank=True)
    # The model answer of the bank this draft reuses whole, if any.
    reused_answer = models.ForeignKey(
        "drafting.BankAnswer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reused_by",
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    shown_at = models.DateTimeField(null=True, blank=True)
    shown_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discard_reason = models.CharField(max_length=20, choices=DiscardReason.choices, blank=True)
    discard_comment = models.TextField(blank=True)
    similarity = models.FloatField(null=True, blank=True)
    seconds_to_decision = models.PositiveIntegerField(null=True, blank=True)
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["case", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="suggestion_sequence_unique"),
            models.CheckConstraint(
                condition=~Q(decision="discarded") | ~Q(discard_reason=""),
                name="suggestion_discard_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["administration", "created_at"], name="suggestion_admin_idx"),
            models.Index(fields=["status", "started_at"], name="suggestion_status_idx"),
            # The impact report aggregates these columns of one administration's drafts: they
            # are read from the index (an index-only scan), not from the wide rows.
            models.Index(
                fields=["administration", "case"],
                include=[
                    "backend",
                    "model_name",
                    "status",
                    "decision",
                    "discard_reason",
                    "fell_back",
                    "shown_at",
                    "similarity",
                    "latency_ms",
                    "prompt_tokens",
                    "completion_tokens",
                ],
                name="suggestion_impact_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.sequence} · {self.status}"
