"""The usager satisfaction survey: a signed, expiring link sent after the first reply, and the
one response it accepts. A written reply is followed once delivered; an answer given at the
counter or on the phone once recorded (the usager heard it then), with an invitation that says
so (cases/receivers.py).

The link carries the case id signed with the project's secret (``django.core.signing``, own
salt, timestamped): nothing to store, nothing to guess, and it expires by itself after
``SURVEY_LINK_MAX_AGE_DAYS``. "Works once" is the database's unique constraint on the case.
The survey and the e-mail say nothing of how the reply was written. The invitation leaves like
every mail of the case (cases/delivery/backends.py: Reply-To, thread headers).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..delivery.answers import no_answer_notice
from ..delivery.backends import new_message_id, send_case_email
from ..models import Case, CaseEvent, Reply, SatisfactionResponse

logger = logging.getLogger(__name__)

SALT = "cases.survey.v1"
MAX_COMMENT_LENGTH = 2_000


class SurveyLinkError(Exception):
    """The link cannot be used; ``reason`` says why (bad, expired, used)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def survey_token(case_id: int) -> str:
    return signing.dumps({"c": case_id}, salt=SALT, compress=False)


def survey_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.SURVEY_LINK_MAX_AGE_DAYS)


def survey_case_from_token(token: str) -> Case:
    """The case a link is for. Raises SurveyLinkError("bad" | "expired" | "used")."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=survey_max_age())
    except signing.SignatureExpired as exc:
        raise SurveyLinkError("expired") from exc
    except signing.BadSignature as exc:
        raise SurveyLinkError("bad") from exc
    case_id = payload.get("c") if isinstance(payload, dict) else None
    if not isinstance(case_id, int):
        raise SurveyLinkError("bad")
    case = Case.objects.filter(pk=case_id).only("pk", "reference", "administration_id").first()
    if case is None:
        raise SurveyLinkError("bad")
    if SatisfactionResponse.objects.filter(case_id=case_id).exists():
        raise SurveyLinkError("used")
    return case


def survey_url(case_id: int) -> str:
    base: str = settings.SITE_URL.rstrip("/")
    return base + reverse("survey", kwargs={"token": survey_token(case_id)})


def _answer_given(case_id: int, reply_id: int) -> str:
    """How the reply reached the usager: "counter" or "phone" for an answer given in person or
    on the phone (its journal line says so: cases/counter/services.py), "" for a written one."""
    given = (
        CaseEvent.objects.filter(
            case_id=case_id, kind=CaseEvent.Kind.REPLY_SENT, data__reply_id=reply_id
        )
        .values_list("data__given", flat=True)
        .first()
    )
    return given if isinstance(given, str) else ""


def _invitation_text(given: str) -> tuple[str, str]:
    """The invitation's subject and body (to be filled), in words that match how the usager got
    the answer: a usager answered at the counter never received "our reply"."""
    if given == "counter":
        return (
            _("Your opinion on the answer given at our counter (case %(reference)s)"),
            _(
                "Hello,\n\n"
                "%(administration)s answered your request %(reference)s in person, at its "
                "counter.\n\n"
                "Tell us in one minute whether the answer you were given helped you (three "
                "questions, no account needed):\n%(url)s\n\n"
                "This link works once and expires in %(days)s days.\n\n"
                "Thank you."
            ),
        )
    if given == "phone":
        return (
            _("Your opinion on the answer given on the phone (case %(reference)s)"),
            _(
                "Hello,\n\n"
                "%(administration)s answered your request %(reference)s on the phone.\n\n"
                "Tell us in one minute whether the answer you were given helped you (three "
                "questions, no account needed):\n%(url)s\n\n"
                "This link works once and expires in %(days)s days.\n\n"
                "Thank you."
            ),
        )
    return (
        _("Your opinion on our reply (case %(reference)s)"),
        _(
            "Hello,\n\n"
            "%(administration)s has replied to your request %(reference)s.\n\n"
            "Tell us in one minute whether the reply helped you (three questions, no account "
            "needed):\n%(url)s\n\n"
            "This link works once and expires in %(days)s days.\n\n"
            "Thank you."
        ),
    )


def survey_invite(*, case_id: int, reply_id: int) -> bool:
    """E-mail the survey link for the case's first reply, if the usager left an address; its
    words follow how the usager got the answer (written, at the counter, on the phone).

    Runs in a task after the reply's transaction committed. Idempotent enough for a redelivered
    task: a later reply, or a case already answered, sends nothing.
    """
    case = Case.objects.filter(pk=case_id).select_related("administration").first()
    if case is None or not case.usager_email:
        return False
    first_reply = Reply.objects.filter(case_id=case_id).order_by("created_at", "id").first()
    if first_reply is None or first_reply.pk != reply_id:
        return False
    if SatisfactionResponse.objects.filter(case_id=case_id).exists():
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _invitation_text(_answer_given(case_id, reply_id))
        subject %= {"reference": case.reference}
        body %= {
            "administration": case.administration.name,
            "reference": case.reference,
            "url": survey_url(case.pk),
            "days": settings.SURVEY_LINK_MAX_AGE_DAYS,
        }
    # No mailbox reads an answer: the invitation says so, and how to reach the service.
    # Like every mail of the case: Reply-To the administration's mailbox and in the case's
    # thread, so that a usager who answers it ("Merci, mais...") reaches their case, not the
    # sending address; automatic (RFC 3834), so that no out-of-office answers it.
    send_case_email(
        case=case,
        subject=subject,
        body=body,
        message_id=new_message_id("survey", case.pk),
        extra={"Auto-Submitted": "auto-generated"},
        notice=no_answer_notice(case),
    )
    return True


@transaction.atomic
def satisfaction_record(
    *, case: Case, rating: int, answered: str, comment: str = ""
) -> SatisfactionResponse:
    """Record the usager's one response (the actor is the holder of the link, not a user)."""
    errors: dict[str, str] = {}
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = _("Choose a rating from 1 to 5.")
    if answered not in SatisfactionResponse.Answered.values:
        errors["answered"] = _("Say whether the reply answered your question.")
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = _("The comment is too long (%(max)s characters at most).") % {
            "max": MAX_COMMENT_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return SatisfactionResponse.objects.create(
                case=case,
                administration_id=case.administration_id,
                rating=rating,
                answered=answered,
                comment=comment,
            )
    except IntegrityError as exc:
        # Two submissions raced: the database keeps one.
        raise SurveyLinkError("used") from exc


def rate_limited(ip: str) -> int:
    """Count one request from ``ip``; the seconds to wait if it is over the limit, else 0."""
    window = settings.SURVEY_RATE_WINDOW_SECONDS
    key = f"survey-rate:{ip}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return window if count > settings.SURVEY_RATE_LIMIT else 0
