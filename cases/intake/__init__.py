"""Channel intake (a room): what the channels send, turned into cases.

``services.py`` (API deliveries, by idempotency key), ``mail.py`` (e-mails, by Message-ID, and
the reading of a mailbox for ``intake_mail``), ``threads.py`` (which case an e-mail is about,
along transfers too), ``courtesy.py`` (a message that only thanks), ``reading.py`` and
``parsing.py`` (one e-mail read: kind, address, new text, inline forwards, files),
``mappers.py`` (each channel's payload to case
fields), ``attachments.py`` (checked by content, stored under random names), ``serializers.py``
and ``api.py`` (the intake endpoints)."""

from .attachments import AttachmentData
from .mail import EmailOutcome, email_receive
from .reading import MalformedEmail
from .services import IdempotencyConflict, IntakeResult, intake_receive

__all__ = [
    "AttachmentData",
    "EmailOutcome",
    "IdempotencyConflict",
    "IntakeResult",
    "MalformedEmail",
    "email_receive",
    "intake_receive",
]
