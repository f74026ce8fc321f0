"""Read e-mails into cases: ``intake_mail --administration SLUG (MAILDIR | FILE.eml ...)``.

Each message is one transaction; a message already read (same Message-ID, or the same bytes
when it has none) is skipped, so the command can run from cron on the same mailbox forever.
A message that cannot be read is named and quarantined (kept, journaled, shown to the
administrators), nothing else of it is written, the others go on, and the command exits
non-zero; the same message read again later is skipped as already quarantined. When the
antivirus (``CLAMAV_URL``) cannot be reached, the command stops at that message with nothing of
it written, exits non-zero, and reads it at its next run.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Administration
from cases.files import ScannerUnavailable
from cases.intake.mail import NotAMaildir, mail_sources
from cases.intake.quarantine import mail_read_one


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

        counts: dict[str, int] = {}
        errors: list[str] = []
        current = ""
        try:
            for label, raw in mail_sources(paths):
                current = label
                result = mail_read_one(administration=tenant, raw=raw, source=label)
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
                if result.outcome == "quarantined":
                    errors.append(f"{label}: {result.error}")
                if options["verbosity"] >= 2 and result.case is not None:
                    self.stdout.write(f"{label}: {result.outcome} {result.case.reference}")
        except NotAMaildir as exc:
            raise CommandError(str(exc)) from exc
        except ScannerUnavailable as exc:
            # Fail closed: this message and the next ones are left for the next run.
            raise CommandError(
                f"Antivirus unavailable ({exc.reason}): stopped at {current} (not read), "
                f"{sum(counts.values())} message(s) read. Run again once it answers."
            ) from exc

        total = sum(counts.values())
        self.stdout.write(
            f"{total} message(s) read: {counts.get('created', 0)} case(s) created, "
            f"{counts.get('appended', 0) + counts.get('reopened', 0)} added to an existing case, "
            f"{counts.get('follow_up', 0)} follow-up(s), "
            f"{counts.get('auto_reply', 0) + counts.get('bounce', 0)} automatic reply(ies) or "
            f"bounce(s) recorded, {counts.get('duplicate', 0)} already processed, "
            f"{len(errors)} error(s) quarantined"
            + (
                f", {counts['quarantined_before']} quarantined before"
                if counts.get("quarantined_before")
                else ""
            )
            + "."
        )
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} message(s) could not be read: {errors[0]}")
