from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Administration
from drafting.knowledge.services import KnowledgeImportError, knowledge_import


class Command(BaseCommand):
    help = (
        "Import knowledge fiches (service-public.fr XML or Markdown with front matter) from a "
        "file or a folder. All or nothing; re-importing updates fiches in place by external id."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--administration",
            help="Slug of the administration that owns the fiches (national when omitted).",
        )

    def handle(self, *args, path: Path, administration: str | None, **options):
        owner = None
        if administration:
            owner = Administration.objects.filter(slug=administration).first()
            if owner is None:
                raise CommandError(f"No administration with slug “{administration}”.")
        try:
            report = knowledge_import(path=path, administration=owner)
        except KnowledgeImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{error.path}: {error.message}")
            raise CommandError(
                f"Import refused: {len(exc.errors)} file(s) in error, nothing was imported."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.skipped} skipped."
            )
        )
