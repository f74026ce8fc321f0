"""Read the administrations' IMAP mailboxes once: ``mail_poll [--administration SLUG]``.

The same as the scheduled task ``cases.intake.poll_mailboxes``; exits non-zero when a mailbox
could not be read (the error is also on the mailbox page and in the administration's journal).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases.intake.imap import mailboxes_poll


class Command(BaseCommand):
    help = "Read the IMAP mailboxes of the administrations (each message once)."

    def add_arguments(self, parser):
        parser.add_argument("--administration", help="slug of one administration")

    def handle(self, *args, administration: str | None = None, **options):
        results = mailboxes_poll(administration)
        if administration and not results:
            raise CommandError(f"No active mailbox for the administration “{administration}”.")
        failed = []
        for result in results:
            outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(result["outcomes"].items()))
            if result["error"]:
                failed.append(result)
                # The operator's console: the server's own words too (the page and the journal
                # have the category only).
                self.stderr.write(
                    f"mailbox {result['mailbox_id']}: {result['error']} ({result['detail']})"
                )
            elif result["skipped"]:
                self.stdout.write(f"mailbox {result['mailbox_id']}: being read by another poller")
            else:
                self.stdout.write(
                    f"mailbox {result['mailbox_id']}: {result['read']} message(s) read"
                    + (f" ({outcomes})" if outcomes else "")
                )
        if failed:
            raise CommandError(f"{len(failed)} mailbox(es) could not be read.")
