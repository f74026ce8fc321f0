from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration
from cases.models import Case, Reply, Topic, unique_per_administration

# --- knowledge ------------------------------------------------------------------------------


class KnowledgeArticle(models.Model):
    """A fiche of the knowledge base: national (no administration) or one administration's."""

    class Format(models.TextChoices):
        SERVICE_PUBLIC_XML = "sp_xml", _("service-public.fr XML")
        MARKDOWN = "markdown", _("Markdown")
        MANUAL = "manual", _("Written in Guichet")

    administration = models.ForeignKey(
        Administration,
        verbose_name=_("administration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="knowledge_articles",
        help_text=_("Empty for the national knowledge base."),
    )
    external_id = models.CharField(_("external id"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"))
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL
    )
    source_format = models.CharField(max_length=16, choices=Format.choices)
    is_active = models.BooleanField(_("active"), default=True)
    updated_on = models.DateField(_("updated on"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["title"]
        constraints = unique_per_administration(
            "external_id",
            own="article_external_id_unique",
            national="article_external_id_unique_national",
        )

    def __str__(self) -> str:
        return self.title


class Passage(models.Model):
    """A retrievable piece of an article, with the chain of titles above it."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=500, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="passage_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} · {self.heading[:60]}"


# --- search index ---------------------------------------------------------------------------


class SearchDocument(models.Model):
    """One retrievable unit: a knowledge passage or an answered case (anonymised)."""

    class Kind(models.TextChoices):
        PASSAGE = "passage", _("Knowledge passage")
        CASE = "case", _("Answered case")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Null for national passages; answered cases always belong to their administration.
    administration = models.ForeignKey(
        Administration, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    passage = models.OneToOneField(
        Passage, null=True, blank=True, on_delete=models.CASCADE, related_name="search_document"
    )
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="search_document"
    )
    title = models.CharField(max_length=500)
    # What the drafts may quote: the passage, or the case's question and reply with the usager's
    # identifiers replaced (the mapping is not kept).
    text = models.TextField()
    url = models.URLField(max_length=500, blank=True)
    length = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="passage") & Q(passage__isnull=False) & Q(case__isnull=True))
                | (
                    Q(kind="case")
                    & Q(case__isnull=False)
                    & Q(passage__isnull=True)
                    & Q(administration__isnull=False)
                ),
                name="searchdocument_kind_matches_target",
            )
        ]
        indexes = [
            # length is included so that the collection statistics (count, average length)
            # that ranking reads on every query come from the index alone.
            models.Index(
                fields=["kind", "administration"], include=["length"], name="searchdoc_scope_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.title[:60]}"


class Posting(models.Model):
    """Inverted index row: ``term`` occurs ``tf`` times in ``document``.

    Scope and length are copied from the document so that ranking reads this table alone.
    """

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="postings")
    kind = models.CharField(max_length=10, choices=SearchDocument.Kind.choices)
    administration = models.ForeignKey(
        Administration,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    term = models.CharField(max_length=60)
    tf = models.PositiveSmallIntegerField()
    length = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "administration", "term"],
                include=["tf", "length", "document"],
                name="posting_lookup_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.document_id} · {self.tf}"


# --- experiment -----------------------------------------------------------------------------


class ExperimentPeriod(models.Model):
    """A frozen experiment configuration: results are split by these periods."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="experiment_periods"
    )
    assisted_share = models.DecimalField(
        _("assisted share"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of new cases drafted by AI (0 to 1)."),
    )
    seed = models.CharField(_("random seed"), max_length=64)
    backend = models.CharField(_("drafting backend"), max_length=32, default="offline")
    model_name = models.CharField(_("model"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("experiment period")
        verbose_name_plural = _("experiment periods")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration"],
                condition=Q(ended_at__isnull=True),
                name="experiment_one_running_period",
            ),
            models.CheckConstraint(
                condition=Q(assisted_share__gte=0) & Q(assisted_share__lte=1),
                name="experiment_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.administration} · {self.started_at:%Y-%m-%d} · {self.assisted_share}"


class Arm(models.TextChoices):
    ASSISTED = "assisted", _("Assisted")
    CONTROL = "control", _("Control")


class CaseArm(models.Model):
    """The experiment arm drawn for a case when it was created."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="arm")
    period = models.ForeignKey(ExperimentPeriod, on_delete=models.PROTECT, related_name="arms")
    arm = models.CharField(max_length=10, choices=Arm.choices)
    draw = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["period", "arm"], name="casearm_period_idx"),
            # The impact report joins a period's arms to their cases from the index alone.
            models.Index(
                fields=["period", "case"], include=["arm"], name="casearm_period_case_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.arm}"


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
