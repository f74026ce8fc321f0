"""The national taxonomy of topics, shared by every administration.

Ensured after every migrate (and after a test database flush, which re-runs post_migrate), so
that it exists wherever cases do; migration 0003 created the same rows first.
"""

from cases.models import Topic

NATIONAL_TOPICS = [
    ("identite", "Papiers d'identité"),
    ("vehicules", "Véhicules et permis de conduire"),
    ("famille", "Famille et prestations familiales"),
    ("logement", "Logement et aides au logement"),
    ("sante", "Santé et assurance maladie"),
    ("impots", "Impôts et fiscalité"),
    ("emploi", "Emploi et chômage"),
    ("retraite", "Retraite"),
    ("solidarite", "Solidarité, RSA et prime d'activité"),
    ("handicap", "Handicap"),
    ("etrangers", "Étrangers en France"),
    ("citoyennete", "Citoyenneté et état civil"),
    ("energie", "Énergie et rénovation"),
    ("etudes", "Études et bourses"),
]


def ensure_national_topics(sender=None, *, using="default", **kwargs) -> None:
    existing = set(
        Topic.objects.using(using)
        .filter(administration__isnull=True)
        .values_list("slug", flat=True)
    )
    Topic.objects.using(using).bulk_create(
        [Topic(slug=slug, name=name) for slug, name in NATIONAL_TOPICS if slug not in existing]
    )
