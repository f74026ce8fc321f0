"""Read e-mails into cases: ``intake_mail --administration SLUG (MAILDIR | FILE.eml ...)``.

Each message is one transaction; a message already read (same Message-ID, or the same bytes
when it has none) is skipped, so the command can run from cron on the same mailbox forever.
A message that cannot be read is named, nothing of it is written, the others go on, and the
command exits non-zero.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Administration
from cases.intake.mail import MalformedEmail, NotAMaildir, email_receive, mail_sources


class Command(BaseCommand):
    help = "Create cases from e-mails (a Maildir folder or .eml files), each message once."

    def add_arguments(self, parser):
        parser.add_argument("--administration", required=True, help="slug of the administration")
        parser.add_argument("paths", nargs="+", help="a Maildir folder, or .eml files")

    def handle(self, *args, administration: str, paths: list[str], **options):
        tenant = Administration.objects.filter(slug=administration).first()
        if tenant is None:
            raise CommandError(f"No administration with the slug “{administration}”.")
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError(f"Not found: {', '.join(missing)}")

        counts = {"created": 0, "appended": 0, "duplicate": 0}
        errors: list[str] = []
        try:
            for label, raw in mail_sources(paths):
                try:
                    outcome = email_receive(administration=tenant, raw=raw)
                except MalformedEmail as exc:
                    errors.append(f"{label}: {exc}")
                    continue
                except ValidationError as exc:
                    errors.append(f"{label}: {'; '.join(exc.messages)}")
                    continue
                counts[outcome.outcome] += 1
                if options["verbosity"] >= 2 and outcome.case is not None:
                    self.stdout.write(f"{label}: {outcome.outcome} {outcome.case.reference}")
        except NotAMaildir as exc:
            raise CommandError(str(exc)) from exc

        total = sum(counts.values()) + len(errors)
        self.stdout.write(
            f"{total} message(s) read: {counts['created']} case(s) created, "
            f"{counts['appended']} added to an existing case, "
            f"{counts['duplicate']} already processed, {len(errors)} error(s)."
        )
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} message(s) could not be read: {errors[0]}")
