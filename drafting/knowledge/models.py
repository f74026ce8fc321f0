"""Tables of the knowledge base and of its search index (app ``drafting``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration
from cases.models import Topic, unique_per_administration

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
    """One retrievable unit: a knowledge passage. (Answered cases were indexed too, until the
    answer bank replaced them: migration 0009 deleted their rows and column.)"""

    class Kind(models.TextChoices):
        PASSAGE = "passage", _("Knowledge passage")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Null for national passages.
    administration = models.ForeignKey(
        Administration, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    passage = models.OneToOneField(
        Passage, null=True, blank=True, on_delete=models.CASCADE, related_name="search_document"
    )
    title = models.CharField(max_length=500)
    # What the drafts may quote: the passage's text.
    text = models.TextField()
    url = models.URLField(max_length=500, blank=True)
    length = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="passage") & Q(passage__isnull=False),
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


# --- embeddings -----------------------------------------------------------------------------


class Embedding(models.Model):
    """The semantic vector of a passage (``position`` null) or of one of its units.

    A unit is what ``drafting.knowledge.units.split_units`` cuts from the passage's text, at
    that position. ``vector`` holds ``dim`` float32 values, little-endian; ``model_name``
    names the model that computed it (vectors of different models never meet). Scope is
    copied from the article so that loading an administration's matrix reads this table alone.
    """

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="embeddings")
    administration = models.ForeignKey(
        Administration,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    position = models.PositiveIntegerField(null=True, blank=True)
    model_name = models.CharField(max_length=120)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["passage", "model_name"],
                condition=Q(position__isnull=True),
                name="embedding_passage_unique",
            ),
            models.UniqueConstraint(
                fields=["passage", "position", "model_name"],
                condition=Q(position__isnull=False),
                name="embedding_unit_unique",
            ),
        ]
        indexes = [
            # The matrix of a scope (whole passages of one model) and its version stamp.
            models.Index(
                fields=["model_name", "administration"],
                condition=Q(position__isnull=True),
                name="embedding_scope_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.passage_id} · {self.position} · {self.model_name}"


class QuestionVector(models.Model):
    """The vector of a question text (a question of the answer bank), kept so that each process
    does not embed the bank again: content-addressed by ``digest`` (SHA-256 of the text) under
    ``model_name``. Rows are never updated; an edited question is another digest."""

    model_name = models.CharField(max_length=120)
    digest = models.CharField(max_length=64)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model_name", "digest"], name="question_vector_unique")
        ]

    def __str__(self) -> str:
        return f"{self.model_name} · {self.digest[:12]}"
