"""The national taxonomy of topics, shared by every administration."""

from django.db import migrations

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


def create(apps, schema_editor):
    Topic = apps.get_model("cases", "Topic")
    for slug, name in NATIONAL_TOPICS:
        Topic.objects.get_or_create(administration=None, slug=slug, defaults={"name": name})


def remove(apps, schema_editor):
    Topic = apps.get_model("cases", "Topic")
    Topic.objects.filter(administration=None, slug__in=[s for s, _ in NATIONAL_TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_caseevent_append_only")]
    operations = [migrations.RunPython(create, remove)]
