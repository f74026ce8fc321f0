"""Every write of the answer bank: keyword-only, typed, atomic, journalled.

People's writes (``bank_answer_create``, ``bank_answer_from_reply``, ``bank_answer_update``,
``bank_answer_retire``) take an explicit ``actor``; automatic learning
(``bank_learn_from_reply``, ``bank_learn_due``) acts as nobody (``actor`` None in the journal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry, User
from accounts.permissions import ASSIGN_CASES, VIEW_CASES, WORK_CASES, has_administration_perm
from accounts.services import audit_record
from cases.models import Case, CaseEvent, Reply, SatisfactionResponse, Status, Topic

from ..models import Suggestion
from .audit_actions import AnswerBankAuditAction as Action
from .cleaning import anonymise, authored_body, reusable_body, substance
from .models import BankAnswer
from .selectors import bank_index, bank_settings

__all__ = [
    "Learning",
    "bank_answer_create",
    "bank_answer_from_reply",
    "bank_answer_record_use",
    "bank_answer_retire",
    "bank_answer_update",
    "bank_learn_due",
    "bank_learn_from_reply",
]

MAX_QUESTION_CHARS = 5_000
MAX_ANSWER_CHARS = 20_000
# Who reviews, edits and retires bank answers: managers and administrators (the role that
# assigns cases). Agents write model answers and mark sent replies as such.
MANAGE_ANSWERS = ASSIGN_CASES


def _category() -> str:
    return AuditEntry.Category.KNOWLEDGE


def _label(answer: BankAnswer) -> str:
    return f"#{answer.pk} · {' '.join(answer.question.split())[:200]}"


def _require(actor: User, perm: str, administration: Administration) -> None:
    # Not a member who may see the administration's cases: its bank does not exist for them.
    if not has_administration_perm(actor, VIEW_CASES, administration):
        raise BankAnswer.DoesNotExist("No bank answer matches the given query.")
    if not has_administration_perm(actor, perm, administration):
        raise PermissionDenied(_("Your role does not allow this."))


def _clean(value: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            {field: _("At most %(n)s characters.") % {"n": max_length}}, code="max_length"
        )
    return value


def _authored(administration: Administration, answer: str) -> str:
    body = authored_body(
        _clean(answer, "answer", MAX_ANSWER_CHARS),
        closing=administration.closing,
        signature=administration.signature or administration.name,
    )
    if not body:
        raise ValidationError(
            {"answer": _("This answer has nothing to reuse once greeting and closing are off.")},
            code="empty",
        )
    return body


def _topic(topic: Topic | None, administration: Administration) -> Topic | None:
    if topic is not None and topic.administration_id not in (None, administration.pk):
        raise ValidationError({"topic": _("Unknown topic.")}, code="invalid_choice")
    return topic


def _case_question(case: Case) -> str:
    return anonymise(f"{case.subject}\n{case.body}", known_names=[case.usager_name]).strip()


def _reply_body(reply: Reply) -> str:
    case = reply.case
    administration = case.administration
    return reusable_body(
        reply.body,
        closing=administration.closing,
        signature=administration.signature or administration.name,
        known_names=[case.usager_name],
    )


def _make_room(administration: Administration, *, quality: float) -> BankAnswer | bool | None:
    """Evict the least useful active learned answer if the bank is full.

    Returns ``True`` when there is room without evicting, the evicted row (deleted) when one
    made room, ``False`` when the bank is full of answers more useful than ``quality``.
    """
    cap = bank_settings().cap
    active = BankAnswer.objects.filter(
        administration=administration, status=BankAnswer.Status.ACTIVE
    )
    if active.count() < cap:
        return True
    victim = (
        active.filter(kind=BankAnswer.Kind.LEARNED)
        .select_for_update()
        .order_by("uses", "quality", F("last_used_at").asc(nulls_first=True), "created_at", "id")
        .first()
    )
    if victim is None or victim.uses > 0 or victim.quality > quality:
        return False
    evicted = BankAnswer(pk=victim.pk, question=victim.question)
    victim.delete()
    audit_record(
        administration=administration,
        actor=None,
        category=_category(),
        action=Action.EVICTED,
        target_label=_label(evicted),
        data={"answer": evicted.pk, "cap": cap},
    )
    return evicted


# --- people's writes ------------------------------------------------------------------------


@transaction.atomic
def bank_answer_create(
    *,
    actor: User,
    administration: Administration,
    question: str,
    answer: str,
    topic: Topic | None = None,
) -> BankAnswer:
    """An agent or manager writes a model answer to a question. Stored as written, without
    its greeting, closing and signature (each case gets its own when the answer is used), and
    anonymised (a model answer must not carry a usager's identifiers; a service's telephone
    number, e-mail or address written on purpose is kept: ``cleaning.authored_body``)."""
    _require(actor, WORK_CASES, administration)
    row = BankAnswer.objects.create(
        administration=administration,
        topic=_topic(topic, administration),
        kind=BankAnswer.Kind.MODEL,
        question=anonymise(_clean(question, "question", MAX_QUESTION_CHARS)),
        answer=_authored(administration, answer),
        created_by=actor,
        quality=1.0,
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=_category(),
        action=Action.CREATED,
        target_label=_label(row),
        data={"answer": row.pk, "topic": row.topic_id},
    )
    return row


@transaction.atomic
def bank_answer_from_reply(
    *,
    actor: User,
    administration: Administration,
    reply: Reply,
    topic: Topic | None = None,
    question: str | None = None,
    answer: str | None = None,
) -> BankAnswer:
    """Mark a sent reply of ``administration`` as a model answer.

    The question is the case's (subject and message), the answer the reply's substance (see
    ``cleaning.reusable_body``), both anonymised; the agent may pass corrected texts. A reply
    already learned automatically becomes a model answer (one row per reply).
    """
    _require(actor, WORK_CASES, administration)
    reply = Reply.objects.select_related("case__administration").get(
        pk=reply.pk, case__administration=administration
    )
    case = reply.case
    question_text = (
        anonymise(_clean(question, "question", MAX_QUESTION_CHARS), known_names=[case.usager_name])
        if question
        else _case_question(case)
    )
    answer_text = (
        anonymise(_clean(answer, "answer", MAX_ANSWER_CHARS), known_names=[case.usager_name])
        if answer
        else _reply_body(reply)
    )
    if not answer_text:
        raise ValidationError(
            {"answer": _("This reply has nothing to reuse once greeting and closing are off.")},
            code="empty",
        )
    row = BankAnswer.objects.select_for_update().filter(source_reply=reply).first()
    if row is None:
        row = BankAnswer(administration=administration, source_reply=reply, source_case=case)
    row.kind = BankAnswer.Kind.MODEL
    row.status = BankAnswer.Status.ACTIVE
    row.topic = _topic(topic, administration) if topic is not None else case.topic
    row.question = question_text
    row.answer = answer_text
    row.created_by = row.created_by or actor
    row.quality = 1.0
    row.save()
    audit_record(
        administration=administration,
        actor=actor,
        category=_category(),
        action=Action.FROM_REPLY,
        target_label=_label(row),
        data={"answer": row.pk, "case": case.pk, "reply": reply.pk},
    )
    return row


_UNSET = object()


@transaction.atomic
def bank_answer_update(
    *,
    actor: User,
    bank_answer: BankAnswer,
    question: str | None = None,
    answer: str | None = None,
    topic: Topic | object | None = _UNSET,
) -> BankAnswer:
    """A manager edits a bank answer (question, answer, topic). An edited learned answer
    becomes a model answer: a person vouched for it."""
    administration = bank_answer.administration
    _require(actor, MANAGE_ANSWERS, administration)
    row = BankAnswer.objects.select_for_update().get(pk=bank_answer.pk)
    changed: list[str] = []
    if question is not None:
        value = anonymise(_clean(question, "question", MAX_QUESTION_CHARS))
        if value != row.question:
            row.question, changed = value, [*changed, "question"]
    # The page posts the answer back with every edit: as stored, it is not cleaned again.
    if answer is not None and answer.strip() != row.answer.strip():
        value = _authored(administration, answer)
        if value != row.answer:
            row.answer, changed = value, [*changed, "answer"]
    if topic is not _UNSET:
        new_topic = _topic(topic, administration)  # type: ignore[arg-type]
        if (new_topic.pk if new_topic else None) != row.topic_id:
            row.topic, changed = new_topic, [*changed, "topic"]
    if not changed:
        return row
    if row.kind == BankAnswer.Kind.LEARNED:
        row.kind = BankAnswer.Kind.MODEL
        changed.append("kind")
    row.save()
    audit_record(
        administration=administration,
        actor=actor,
        category=_category(),
        action=Action.UPDATED,
        target_label=_label(row),
        data={"answer": row.pk, "fields": changed},
    )
    return row


@transaction.atomic
def bank_answer_retire(*, actor: User, bank_answer: BankAnswer, active: bool = False) -> BankAnswer:
    """A manager retires a bank answer (no longer offered) or brings it back."""
    administration = bank_answer.administration
    _require(actor, MANAGE_ANSWERS, administration)
    row = BankAnswer.objects.select_for_update().get(pk=bank_answer.pk)
    target = BankAnswer.Status.ACTIVE if active else BankAnswer.Status.RETIRED
    if row.status == target:
        return row
    row.status = target
    row.save(update_fields=["status", "updated_at"])
    audit_record(
        administration=administration,
        actor=actor,
        category=_category(),
        action=Action.REACTIVATED if active else Action.RETIRED,
        target_label=_label(row),
        data={"answer": row.pk},
    )
    return row


def bank_answer_record_use(*, bank_answer_id: int, now: dt.datetime | None = None) -> None:
    """Count one reuse (a draft built on it, or an agent inserting it): the most used answers
    are the last evicted. One conditional UPDATE, no journal row (a hot path)."""
    BankAnswer.objects.filter(pk=bank_answer_id).update(
        uses=F("uses") + 1, last_used_at=now or timezone.now()
    )


# --- automatic learning -----------------------------------------------------------------------


@dataclass(frozen=True)
class Learning:
    """What learning made of a reply. ``outcome``: ``learned``, ``deferred`` (its reopen
    window is still open), ``rejected`` (``reason`` says why) or ``known`` (already in)."""

    outcome: str
    reason: str = ""
    answer: BankAnswer | None = None


def _decision_discarded(case: Case, reply: Reply) -> bool:
    linked = Suggestion.objects.filter(case=case, reply=reply).order_by("-sequence").first()
    if linked is None:
        # A draft discarded by hand before the reply left (its decision names no reply).
        linked = (
            Suggestion.objects.filter(case=case, decided_at__lte=reply.created_at)
            .exclude(decision="")
            .order_by("-sequence")
            .first()
        )
    return linked is not None and linked.decision == Suggestion.Decision.DISCARDED


def _reopened(case: Case, reply: Reply, until: dt.datetime) -> bool:
    """The case came back within the window: reopened, a usager message that put it back to
    work, a transfer, or another reply after this one."""
    events = CaseEvent.objects.filter(
        case=case, created_at__gt=reply.created_at, created_at__lte=until
    )
    if events.filter(kind__in=[CaseEvent.Kind.REOPENED, CaseEvent.Kind.TRANSFERRED_OUT]).exists():
        return True
    if events.filter(kind=CaseEvent.Kind.USAGER_MESSAGE).exclude(to_status="").exists():
        return True
    return Reply.objects.filter(case=case, created_at__gt=reply.created_at).exists()


def _quality(case: Case, reply: Reply) -> float:
    survey = SatisfactionResponse.objects.filter(case=case).first()
    quality = 0.5
    if survey is not None:
        quality = 0.2 + 0.8 * (survey.rating - 1) / 4
        if survey.answered == SatisfactionResponse.Answered.YES:
            quality = min(1.0, quality + 0.1)
    decision = (
        Suggestion.objects.filter(case=case, reply=reply).values_list("decision", flat=True).first()
    )
    if decision in (Suggestion.Decision.ACCEPTED, Suggestion.Decision.EDITED):
        quality = min(1.0, quality + 0.05)
    return round(quality, 4)


def _poorly_rated(case: Case) -> bool:
    survey = SatisfactionResponse.objects.filter(case=case).first()
    return survey is not None and (
        survey.rating <= bank_settings().poor_rating
        or survey.answered == SatisfactionResponse.Answered.NO
    )


@transaction.atomic
def bank_learn_from_reply(*, reply_id: int, now: dt.datetime | None = None) -> Learning:
    """Let a sent reply into the bank if it passes the bank's rules.

    Called when a reply is sent (it is then usually ``deferred``: the reopen window is open)
    and again by ``bank_learn_due`` once the window (``ANSWER_BANK_REOPEN_DAYS``) has passed.
    Rules: substantive (not a thank-you, an acknowledgement or a test, long enough once
    stripped), the case not reopened within the window, its survey rating (if any) not poor,
    the draft decision not "discarded", the question not already in the bank. The bank stays
    under ``ANSWER_BANK_CAP`` active answers: the least useful learned answer is evicted (model
    answers never are), or the new one is left out if every learned answer is more useful.
    Idempotent: a reply enters once.
    """
    now = now or timezone.now()
    reply = (
        Reply.objects.select_related("case__administration", "case__topic")
        .filter(pk=reply_id)
        .first()
    )
    if reply is None:
        return Learning("rejected", "no_reply")
    if BankAnswer.objects.filter(source_reply=reply).exists():
        return Learning("known")
    case = reply.case
    administration = case.administration
    config = bank_settings()
    body = _reply_body(reply)
    verdict = substance(body)
    if not verdict.substantive:
        return Learning("rejected", f"not_substantive:{verdict.reason}")
    if _decision_discarded(case, reply):
        return Learning("rejected", "draft_discarded")
    window_end = reply.created_at + dt.timedelta(days=config.reopen_days)
    if _reopened(case, reply, min(now, window_end)):
        return Learning("rejected", "reopened")
    if now < window_end:
        return Learning("deferred", "reopen_window")
    if case.status not in (Status.ANSWERED, Status.CLOSED):
        return Learning("rejected", "case_not_answered")
    if _poorly_rated(case):
        return Learning("rejected", "poorly_rated")
    question = _case_question(case)
    close = bank_index(administration.pk).search(
        question, k=1, min_similarity=config.duplicate_similarity
    )
    if close:
        return Learning("rejected", "duplicate")
    quality = _quality(case, reply)
    room = _make_room(administration, quality=quality)
    if room is False:
        return Learning("rejected", "bank_full")
    try:
        with transaction.atomic():
            row = BankAnswer.objects.create(
                administration=administration,
                topic=case.topic,
                kind=BankAnswer.Kind.LEARNED,
                question=question,
                answer=body,
                source_case=case,
                source_reply=reply,
                quality=quality,
            )
    except IntegrityError:
        # Learned concurrently by another worker.
        return Learning("known")
    audit_record(
        administration=administration,
        actor=None,
        category=_category(),
        action=Action.LEARNED,
        target_label=_label(row),
        data={
            "answer": row.pk,
            "case": case.pk,
            "reply": reply.pk,
            "quality": quality,
            "evicted": room.pk if isinstance(room, BankAnswer) else None,
        },
    )
    return Learning("learned", answer=row)


def bank_learn_due(*, now: dt.datetime | None = None, span_days: int = 2) -> dict[str, int]:
    """The periodic sweep (Celery beat, daily): learn from the replies whose reopen window
    ended within the last ``span_days`` (overlapping runs are harmless: learning is
    idempotent). Reads the case journal's index on dates, one reply at a time, each in its
    own transaction. Returns the count of each outcome."""
    now = now or timezone.now()
    window = dt.timedelta(days=bank_settings().reopen_days)
    sent = CaseEvent.objects.filter(
        kind=CaseEvent.Kind.REPLY_SENT,
        created_at__gt=now - window - dt.timedelta(days=span_days),
        created_at__lte=now - window,
    ).order_by("created_at", "id")
    counts: dict[str, int] = {}
    for data in sent.values_list("data", flat=True).iterator(chunk_size=500):
        reply_id = (data or {}).get("reply_id")
        if not reply_id:
            continue
        outcome = bank_learn_from_reply(reply_id=int(reply_id), now=now).outcome
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
