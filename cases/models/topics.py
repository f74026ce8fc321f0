"""Subject headings and response deadlines: what an administration configures."""

import unicodedata
from collections.abc import Iterable

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

from .choices import Channel


def unique_per_administration(field: str, *, own: str, national: str) -> list:
    """``field`` unique within an administration, and among national rows (no administration):
    NULLs are distinct to a plain unique constraint, so the national rows need their own."""
    return [
        models.UniqueConstraint(fields=["administration", field], name=own),
        models.UniqueConstraint(
            fields=[field], condition=Q(administration__isnull=True), name=national
        ),
    ]


# The national taxonomy, shared by every administration: (slug, stored French name, label).
# The names are stored in French (the product's language); the label, an English msgid whose
# French translation is that same name, is what a page shows, so an English page reads English.
NATIONAL_TOPICS = [
    ("identite", "Papiers d'identité", _("Identity papers")),
    ("vehicules", "Véhicules et permis de conduire", _("Vehicles and driving licences")),
    ("famille", "Famille et prestations familiales", _("Family and family benefits")),
    ("logement", "Logement et aides au logement", _("Housing and housing benefits")),
    ("sante", "Santé et assurance maladie", _("Health and health insurance")),
    ("impots", "Impôts et fiscalité", _("Taxes")),
    ("emploi", "Emploi et chômage", _("Employment and unemployment")),
    ("retraite", "Retraite", _("Retirement")),
    ("solidarite", "Solidarité, RSA et prime d'activité", _("Solidarity, RSA and activity bonus")),
    ("handicap", "Handicap", _("Disability")),
    ("etrangers", "Étrangers en France", _("Foreign nationals in France")),
    ("citoyennete", "Citoyenneté et état civil", _("Citizenship and civil status")),
    ("energie", "Énergie et rénovation", _("Energy and renovation")),
    ("etudes", "Études et bourses", _("Studies and grants")),
]
_NATIONAL_LABELS = {name: label for _slug, name, label in NATIONAL_TOPICS}


def topic_label(name: str) -> str:
    """What a page shows for a topic's stored name: a national topic's label in the active
    language; an administration's own topic as its administrators wrote it (their own names
    cannot take a national one, ``topic_name_clean``)."""
    label = _NATIONAL_LABELS.get(name)
    return str(label) if label is not None else name


class Topic(models.Model):
    """A subject heading: national (no administration) or an administration's own."""

    administration = models.ForeignKey(
        Administration,
        verbose_name=_("administration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="topics",
        help_text=_("Empty for the national taxonomy."),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = unique_per_administration(
            "slug",
            own="topic_slug_unique_per_administration",
            national="topic_slug_unique_national",
        )

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return topic_label(self.name) if self.administration_id is None else self.name


class ResponseDeadline(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="response_deadlines"
    )
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    days = models.PositiveSmallIntegerField(
        _("days to respond"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("response deadline")
        verbose_name_plural = _("response deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "channel"], name="deadline_one_per_channel"
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=365), name="deadline_days_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.administration} · {self.get_channel_display()} · {self.days}"


def topic_choices(
    topics: Iterable[Topic], *, empty: str | Promise
) -> list[tuple[object, str | Promise]]:
    """A select's choices: ``empty`` first, then the topics by what the page shows, in its
    alphabetical order, accents aside (the database orders the stored French names, which an
    English page does not read)."""

    def key(topic: Topic) -> str:
        text = unicodedata.normalize("NFKD", topic.label)
        return "".join(c for c in text if not unicodedata.combining(c)).casefold()

    return [("", empty)] + [(t.pk, t.label) for t in sorted(topics, key=key)]
