"""Every write of drafting: knowledge, the search index, the experiment, suggestions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from accounts.models import Administration, AuditEntry, Enrolment, User
from accounts.permissions import (
    MANAGE_EXPERIMENT,
    MANAGE_SETTINGS,
    VIEW_CASES,
    WORK_CASES,
    has_administration_perm,
)
from accounts.selectors import is_volunteer
from accounts.services import audit_record
from cases.models import Case, Reply, Topic

from .knowledge import ArticleData, KnowledgeFileError, knowledge_files, read_knowledge_file
from .models import (
    Arm,
    CaseArm,
    ExperimentPeriod,
    KnowledgeArticle,
    Passage,
    Posting,
    SearchDocument,
    Suggestion,
)
from .pseudonymise import pseudonymise
from .text import term_frequencies

# --- search index ---------------------------------------------------------------------------


def _index_document(document: SearchDocument, indexed_text: str) -> list[Posting]:
    frequencies = term_frequencies(indexed_text)
    document.length = max(sum(frequencies.values()), 1)
    document.save()
    return [
        Posting(
            document=document,
            kind=document.kind,
            administration_id=document.administration_id,
            term=term,
            tf=min(tf, 32_000),
            length=document.length,
        )
        for term, tf in frequencies.items()
    ]


@transaction.atomic
def search_index_article(*, article: KnowledgeArticle) -> int:
    """(Re)build the search documents of an article's passages; an inactive article has none."""
    SearchDocument.objects.filter(passage__article=article).delete()
    if not article.is_active:
        return 0
    postings: list[Posting] = []
    for passage in article.passages.all():
        document = SearchDocument(
            kind=SearchDocument.Kind.PASSAGE,
            administration_id=article.administration_id,
            passage=passage,
            title=passage.heading or article.title,
            text=passage.text,
            url=article.source_url,
            length=0,
        )
        # Headings weigh twice: they name what the passage is about.
        heading = passage.heading or article.title
        postings += _index_document(document, f"{heading}\n{heading}\n{passage.text}")
    Posting.objects.bulk_create(postings, batch_size=2000)
    return len(postings)


_PLACEHOLDER = re.compile(r"\[([A-Z_]+?)_\d+\]")
# Plain words, not placeholders: nothing downstream may mistake them for restorable ones.
_MASKS = {
    "NOM": "(nom masqué)",
    "EMAIL": "(adresse e-mail masquée)",
    "TEL": "(téléphone masqué)",
    "NIR": "(numéro de sécurité sociale masqué)",
    "IBAN": "(IBAN masqué)",
    "ADRESSE": "(adresse masquée)",
    "DATE_NAISSANCE": "(date de naissance masquée)",
}


def anonymise(text: str, *, known_names: Iterable[str] = ()) -> str:
    """Irreversibly replace a usager's identifiers with neutral words such as "(nom masqué)"."""
    result = pseudonymise(text, known_names=[n for n in known_names if n])
    return _PLACEHOLDER.sub(lambda m: _MASKS.get(m.group(1), "(identifiant masqué)"), result.text)


def case_document_text(case: Case, reply: Reply) -> str:
    names = [case.usager_name]
    question = anonymise(f"{case.subject}\n{case.body}", known_names=names)
    answer = anonymise(reply.body, known_names=names)
    return f"Question : {question}\n\nRéponse envoyée : {answer}"


@transaction.atomic
def search_index_case(*, case: Case) -> bool:
    """Index an answered case (question and last reply, anonymised) for its administration."""
    reply = case.replies.order_by("-created_at", "-id").first()
    SearchDocument.objects.filter(case=case).delete()
    if reply is None:
        return False
    text = case_document_text(case, reply)
    document = SearchDocument(
        kind=SearchDocument.Kind.CASE,
        administration_id=case.administration_id,
        case=case,
        title=anonymise(case.subject, known_names=[case.usager_name])[:500],
        text=text,
        length=0,
    )
    # The question is what a new case resembles; the reply is indexed once for its vocabulary.
    # Only anonymised text is indexed: a usager's name must not become a search term.
    postings = _index_document(document, f"{document.title}\n{document.title}\n{text}")
    Posting.objects.bulk_create(postings, batch_size=2000)
    return True


# --- knowledge ------------------------------------------------------------------------------


class KnowledgeImportError(ValueError):
    """The batch was refused: nothing was written. ``errors`` names each file at fault."""

    def __init__(self, errors: list[KnowledgeFileError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def _passages_replace(article: KnowledgeArticle, passages: list[tuple[str, str]]) -> None:
    article.passages.all().delete()
    Passage.objects.bulk_create(
        [
            Passage(article=article, position=i, heading=heading[:500], text=text)
            for i, (heading, text) in enumerate(passages)
        ]
    )


def knowledge_import(
    *, path: Path, administration: Administration | None = None, actor: User | None = None
) -> ImportReport:
    """Import a file or folder of fiches, all or nothing; re-importing updates in place."""
    if actor is not None and not (
        actor.is_superuser
        or (administration and has_administration_perm(actor, MANAGE_SETTINGS, administration))
    ):
        raise PermissionDenied(_("Your role does not allow importing knowledge here."))
    if not path.exists():
        raise KnowledgeImportError([KnowledgeFileError(path, "no such file or folder.")])
    parsed: list[ArticleData] = []
    errors: list[KnowledgeFileError] = []
    report = ImportReport()
    seen: dict[str, Path] = {}
    for file in knowledge_files(path):
        try:
            data = read_knowledge_file(file)
        except KnowledgeFileError as exc:
            errors.append(exc)
            continue
        if data is None:
            report.skipped += 1
            continue
        if data.external_id in seen:
            errors.append(
                KnowledgeFileError(
                    file,
                    f"external id {data.external_id} is also used by {seen[data.external_id]}.",
                )
            )
            continue
        seen[data.external_id] = file
        parsed.append(data)
    if errors:
        raise KnowledgeImportError(errors)
    with transaction.atomic():
        for data in parsed:
            status = article_upsert(data=data, administration=administration)
            setattr(report, status, getattr(report, status) + 1)
    return report


def _topic_for(slug: str, administration: Administration | None) -> Topic | None:
    if not slug:
        return None
    return (
        Topic.objects.filter(slug=slug)
        .filter(Q(administration__isnull=True) | Q(administration=administration))
        .order_by("administration_id")
        .first()
    )


@transaction.atomic
def article_upsert(*, data: ArticleData, administration: Administration | None) -> str:
    """Create or update one article by its external id; returns created/updated/unchanged."""
    article = KnowledgeArticle.objects.filter(
        administration=administration, external_id=data.external_id
    ).first()
    content_hash = data.content_hash
    if article is not None and article.content_hash == content_hash:
        return "unchanged"
    created = article is None
    article = article or KnowledgeArticle(
        administration=administration, external_id=data.external_id
    )
    article.title = data.title[:300]
    article.summary = data.summary
    article.body = data.body or "\n\n".join(text for _heading, text in data.passages)
    article.source_url = data.source_url[:500]
    article.source_format = data.source_format
    article.topic = _topic_for(data.topic_slug, administration)
    article.updated_on = data.updated_on
    article.content_hash = content_hash
    # A retired article stays retired when the export brings it again: retiring is a decision.
    article.full_clean(validate_unique=False)
    article.save()
    _passages_replace(article, data.passages)
    search_index_article(article=article)
    return "created" if created else "updated"


@transaction.atomic
def article_set_active(*, article: KnowledgeArticle, active: bool) -> KnowledgeArticle:
    article.is_active = active
    article.save(update_fields=["is_active", "modified_at"])
    search_index_article(article=article)
    return article


# --- experiment -----------------------------------------------------------------------------


def running_period(administration_id: int) -> ExperimentPeriod | None:
    return ExperimentPeriod.objects.filter(
        administration_id=administration_id, ended_at__isnull=True
    ).first()


@transaction.atomic
def experiment_start(
    *,
    actor: User | None,
    administration: Administration,
    assisted_share: Decimal | float | str,
    backend: str = "offline",
    model_name: str = "",
    seed: str = "",
) -> ExperimentPeriod:
    """Start a new configuration period (ending the running one: periods are frozen)."""
    if actor is not None and not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    try:
        share = Decimal(str(assisted_share).strip())
    except ArithmeticError:
        share = Decimal("NaN")
    if share.is_nan() or not Decimal(0) <= share <= Decimal(1):
        raise ValidationError({"assisted_share": _("The assisted share is between 0 and 1.")})
    now = timezone.now()
    running = (
        ExperimentPeriod.objects.select_for_update()
        .filter(administration=administration, ended_at__isnull=True)
        .first()
    )
    if running is not None:
        ExperimentPeriod.objects.filter(pk=running.pk).update(ended_at=now)
    period = ExperimentPeriod.objects.create(
        administration=administration,
        assisted_share=share,
        seed=seed or secrets.token_hex(8),
        backend=backend,
        model_name=model_name,
        started_at=now,
        started_by=actor,
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.EXPERIMENT,
        action="experiment.reconfigured" if running is not None else "experiment.started",
        target_label=_period_label(period),
        data={"before": _period_data(running), "after": _period_data(period)},
    )
    return period


@transaction.atomic
def experiment_stop(*, actor: User | None, administration: Administration) -> int:
    if actor is not None and not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    running = (
        ExperimentPeriod.objects.select_for_update()
        .filter(administration=administration, ended_at__isnull=True)
        .first()
    )
    if running is None:
        return 0
    # Stopping only ends the period: its arms, drafts and decisions stay for the results.
    running.ended_at = timezone.now()
    ExperimentPeriod.objects.filter(pk=running.pk).update(ended_at=running.ended_at)
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.EXPERIMENT,
        action="experiment.stopped",
        target_label=_period_label(running),
        data={"before": _period_data(running), "after": None},
    )
    return 1


def _period_label(period: ExperimentPeriod) -> str:
    share = (period.assisted_share * 100).normalize()
    return f"{share:f} % · {period.backend}{' · ' + period.model_name if period.model_name else ''}"


def _period_data(period: ExperimentPeriod | None) -> dict | None:
    if period is None:
        return None
    return {
        "period": period.pk,
        "assisted_share": str(period.assisted_share),
        "unit": "case",
        "backend": period.backend,
        "model_name": period.model_name,
        "started_at": period.started_at.isoformat(),
        "ended_at": period.ended_at.isoformat() if period.ended_at else None,
    }


def arm_draw(seed: str, case_id: int) -> float:
    """A uniform number in [0, 1) that depends only on the period's seed and the case."""
    digest = hashlib.sha256(f"{seed}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@transaction.atomic
def case_arm_assign(*, case: Case) -> CaseArm | None:
    """Draw the arm of a new case if its administration runs an experiment (idempotent)."""
    existing = CaseArm.objects.filter(case=case).first()
    if existing is not None:
        return existing
    period = running_period(case.administration_id)
    if period is None:
        return None
    draw = arm_draw(period.seed, case.pk)
    arm = Arm.ASSISTED if draw < float(period.assisted_share) else Arm.CONTROL
    return CaseArm.objects.create(case=case, period=period, arm=arm, draw=draw)


def case_gets_drafts(case: Case) -> bool:
    arm = CaseArm.objects.filter(case=case).values_list("arm", flat=True).first()
    return arm != Arm.CONTROL


# --- suggestions ----------------------------------------------------------------------------


def _enqueue(suggestion_id: int) -> None:
    from .tasks import draft_suggestion  # tasks import services: import at call time

    draft_suggestion.delay(suggestion_id)


@transaction.atomic
def suggestion_create_for_new_case(*, case_id: int) -> Suggestion | None:
    """React to a new case: draw its arm, and queue its first draft unless it is a control.

    Idempotent: a second delivery of the event finds the first suggestion and does nothing.
    """
    case = Case.objects.select_related("administration").get(pk=case_id)
    case_arm_assign(case=case)
    if not case_gets_drafts(case):
        return None
    suggestion, created = Suggestion.objects.get_or_create(
        case=case, sequence=1, defaults={"administration_id": case.administration_id}
    )
    if created:
        transaction.on_commit(partial(_enqueue, suggestion.pk))
    return suggestion


@transaction.atomic
def suggestion_request(*, actor: User, case: Case) -> Suggestion:
    """An agent asks for a fresh draft; earlier ones stay in the history."""
    if not has_administration_perm(actor, VIEW_CASES, case.administration):
        raise Case.DoesNotExist("No case matches the given query.")
    if not has_administration_perm(actor, WORK_CASES, case.administration):
        raise PermissionDenied(_("Your role does not allow working on cases."))
    if not case.is_open:
        raise ValidationError({"case": _("Drafts are only made for open cases.")})
    if not case_gets_drafts(case):
        raise ValidationError({"case": _("No draft is made for this case.")})
    case = Case.objects.select_for_update().get(pk=case.pk)
    busy = Suggestion.objects.filter(
        case=case, status__in=[Suggestion.Status.PENDING, Suggestion.Status.RUNNING]
    ).first()
    if busy is not None:
        return busy
    last = Suggestion.objects.filter(case=case).aggregate(m=Max("sequence"))["m"] or 0
    suggestion = Suggestion.objects.create(
        case=case,
        administration_id=case.administration_id,
        sequence=last + 1,
        requested_by=actor,
    )
    transaction.on_commit(partial(_enqueue, suggestion.pk))
    return suggestion


# A claim older than this is taken to belong to a dead worker and may be claimed again.
STALE_CLAIM = dt.timedelta(minutes=5)


def suggestion_claim(*, suggestion_id: int) -> bool:
    """Atomically move a suggestion from pending (or a stale run) to running."""
    now = timezone.now()
    claimable = Q(status=Suggestion.Status.PENDING) | Q(
        status=Suggestion.Status.RUNNING, started_at__lt=now - STALE_CLAIM
    )
    updated = Suggestion.objects.filter(claimable, pk=suggestion_id).update(
        status=Suggestion.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    return bool(updated)


def _require_volunteer(actor: User, suggestion: Suggestion) -> None:
    # Nobody sees, or acts on, a draft without their own recorded consent.
    if not is_volunteer(actor, suggestion.administration_id):
        raise PermissionDenied(_("Drafts are shown only to volunteers of the experiment."))


def suggestion_mark_shown(*, actor: User, suggestion: Suggestion) -> Suggestion:
    """Record when the agent first saw a ready draft (start of the decision clock)."""
    if not has_administration_perm(actor, VIEW_CASES, suggestion.administration):
        raise Suggestion.DoesNotExist("No suggestion matches the given query.")
    _require_volunteer(actor, suggestion)
    if suggestion.status != Suggestion.Status.READY or suggestion.shown_at is not None:
        return suggestion
    now = timezone.now()
    Suggestion.objects.filter(pk=suggestion.pk, shown_at__isnull=True).update(
        shown_at=now, shown_to=actor
    )
    suggestion.refresh_from_db(fields=["shown_at", "shown_to"])
    return suggestion


def _seconds_since(start: dt.datetime | None, end: dt.datetime) -> int | None:
    return max(int((end - start).total_seconds()), 0) if start else None


@transaction.atomic
def suggestion_discard(
    *, actor: User, suggestion: Suggestion, reason: str, comment: str = ""
) -> Suggestion:
    if not has_administration_perm(actor, VIEW_CASES, suggestion.administration):
        raise Suggestion.DoesNotExist("No suggestion matches the given query.")
    if not has_administration_perm(actor, WORK_CASES, suggestion.administration):
        raise PermissionDenied(_("Your role does not allow working on cases."))
    _require_volunteer(actor, suggestion)
    if reason not in Suggestion.DiscardReason.values or reason == Suggestion.DiscardReason.NOT_USED:
        raise ValidationError(
            {"reason": _("Choose a reason for discarding the draft.")}, code="invalid_choice"
        )
    if reason == Suggestion.DiscardReason.OTHER and not comment.strip():
        raise ValidationError(
            {"comment": _("Say in a few words why the draft is discarded.")}, code="required"
        )
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != Suggestion.Status.READY:
        raise ValidationError({"suggestion": _("Only a ready draft can be discarded.")})
    if suggestion.decision:
        raise ValidationError({"suggestion": _("A decision was already recorded on this draft.")})
    now = timezone.now()
    suggestion.decision = Suggestion.Decision.DISCARDED
    suggestion.discard_reason = reason
    suggestion.discard_comment = comment.strip()[:2000]
    suggestion.decided_at = now
    suggestion.decided_by = actor
    suggestion.seconds_to_decision = _seconds_since(suggestion.shown_at, now)
    suggestion.save()
    return suggestion


def _normalise_space(text: str) -> str:
    return " ".join(text.split())


# Below this similarity the sent reply is taken as written without the draft.
EDITED_MIN_SIMILARITY = 0.4


@transaction.atomic
def suggestion_record_sent_reply(*, case_id: int, reply_id: int) -> Suggestion | None:
    """Derive the decision on the draft the agent saw from the reply actually sent."""
    suggestion = (
        Suggestion.objects.select_for_update()
        .filter(case_id=case_id, status=Suggestion.Status.READY, shown_at__isnull=False)
        .order_by("-sequence")
        .first()
    )
    if suggestion is None or suggestion.decision:
        return suggestion
    reply = Reply.objects.get(pk=reply_id, case_id=case_id)
    draft, sent = _normalise_space(suggestion.text), _normalise_space(reply.body)
    similarity = fuzz.ratio(draft, sent) / 100
    if draft == sent:
        suggestion.decision = Suggestion.Decision.ACCEPTED
        similarity = 1.0
    elif similarity >= EDITED_MIN_SIMILARITY:
        suggestion.decision = Suggestion.Decision.EDITED
    else:
        suggestion.decision = Suggestion.Decision.DISCARDED
        suggestion.discard_reason = Suggestion.DiscardReason.NOT_USED
    suggestion.similarity = round(similarity, 4)
    suggestion.reply = reply
    suggestion.decided_at = reply.created_at
    suggestion.decided_by_id = reply.author_id
    suggestion.seconds_to_decision = _seconds_since(suggestion.shown_at, reply.created_at)
    suggestion.save()
    return suggestion


# --- set-up by administrators: the experiment page and the knowledge pages -------------------


def experiment_has_volunteer(administration: Administration) -> bool:
    """At least one active member of the administration is an approved volunteer."""
    return Enrolment.objects.filter(
        administration=administration,
        status=Enrolment.Status.APPROVED,
        consented_at__isnull=False,
        user__is_active=True,
        user__memberships__administration=administration,
        user__memberships__is_active=True,
    ).exists()


@transaction.atomic
def experiment_configure(
    *,
    actor: User,
    administration: Administration,
    assisted_percent: int,
    backend: str,
    model_name: str = "",
) -> ExperimentPeriod:
    """Start the experiment, or change its set-up, as an administrator does it.

    Each change is a new frozen period (the running one ends), so that results can be split by
    period. The share is a whole percentage from 1 to 99: with 0 or 100 % there is nothing to
    compare. The backend and model are among those the platform offers, and there must be at
    least one approved volunteer: without one, no draft would ever be shown.
    """
    from .backends import backends_offered

    if not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    if isinstance(assisted_percent, bool) or not isinstance(assisted_percent, int):
        raise ValidationError(
            {"assisted_percent": [ValidationError(_("Enter a whole number."), code="invalid")]}
        )
    if not 1 <= assisted_percent <= 99:
        raise ValidationError(
            {
                "assisted_percent": [
                    ValidationError(
                        _("The assisted share is a whole percentage from 1 to 99."),
                        code="out_of_range",
                    )
                ]
            }
        )
    backend = (backend or "").strip()
    model_name = (model_name or "").strip()
    if backend == "offline":
        model_name = ""
    if (backend, model_name) not in backends_offered():
        raise ValidationError(
            {
                "backend": [
                    ValidationError(
                        _("Choose a drafting backend and model that the platform offers."),
                        code="invalid_choice",
                    )
                ]
            }
        )
    if not experiment_has_volunteer(administration):
        raise ValidationError(
            {
                "assisted_percent": [
                    ValidationError(
                        _(
                            "The experiment cannot start: no agent of this administration is an "
                            "approved volunteer. Approve at least one volunteer first."
                        ),
                        code="no_volunteer",
                    )
                ]
            }
        )
    share = Decimal(assisted_percent) / Decimal(100)
    running = running_period(administration.pk)
    if (
        running is not None
        and running.assisted_share == share
        and (running.backend, running.model_name) == (backend, model_name)
    ):
        raise ValidationError(
            {
                "assisted_percent": [
                    ValidationError(
                        _("This is already the running set-up: nothing was changed."),
                        code="unchanged",
                    )
                ]
            }
        )
    return experiment_start(
        actor=actor,
        administration=administration,
        assisted_share=share,
        backend=backend,
        model_name=model_name,
    )


@transaction.atomic
def experiment_end(*, actor: User, administration: Administration) -> ExperimentPeriod:
    """Stop the running experiment: its period ends; nothing is deleted."""
    if not has_administration_perm(actor, MANAGE_EXPERIMENT, administration):
        raise PermissionDenied(_("Only administrators set the experiment up."))
    running = running_period(administration.pk)
    if running is None:
        raise ValidationError(
            {"experiment": [ValidationError(_("No experiment is running."), code="not_running")]}
        )
    experiment_stop(actor=actor, administration=administration)
    running.refresh_from_db()
    return running


def _require_settings(actor: User, administration: Administration) -> None:
    if not has_administration_perm(actor, MANAGE_SETTINGS, administration):
        raise PermissionDenied(
            _("Your role does not allow managing this administration's settings.")
        )


def _own_article(actor: User, article: KnowledgeArticle, administration: Administration) -> None:
    """National articles are read-only for administrators; another's do not exist for them."""
    if article.administration_id is None:
        raise PermissionDenied(_("National articles are read-only."))
    if article.administration_id != administration.pk:
        raise KnowledgeArticle.DoesNotExist("No article matches the given query.")
    _require_settings(actor, administration)


_HEADING_RE = re.compile(r"^#{2,4}\s+(.*)$")


def _manual_passages(title: str, body: str) -> list[tuple[str, str]]:
    """Passages of an article written in Guichet: ``## Titre`` lines start sections."""
    from .knowledge import split_passages

    sections: list[tuple[str, list[str]]] = []
    heading, blocks, paragraph = title, [], []
    for line in body.splitlines():
        match = _HEADING_RE.match(line.strip())
        if match:
            if paragraph:
                blocks.append(" ".join(paragraph))
                paragraph = []
            if blocks:
                sections.append((heading, blocks))
            heading, blocks = f"{title} › {match.group(1).strip()}", []
        elif not line.strip():
            if paragraph:
                blocks.append(" ".join(paragraph))
                paragraph = []
        else:
            paragraph.append(line.strip())
    if paragraph:
        blocks.append(" ".join(paragraph))
    if blocks:
        sections.append((heading, blocks))
    return split_passages(sections)


_EXTERNAL_ID_RE = re.compile(r"^[\w.-]{1,64}$")


@transaction.atomic
def article_write(
    *,
    actor: User,
    administration: Administration,
    title: str,
    body: str,
    summary: str = "",
    source_url: str = "",
    topic: Topic | None = None,
    external_id: str = "",
    article: KnowledgeArticle | None = None,
) -> KnowledgeArticle:
    """Create (``article`` None) or edit one of the administration's own articles."""
    if article is not None:
        _own_article(actor, article, administration)
        article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
    else:
        _require_settings(actor, administration)
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    if not title:
        errors["title"] = [ValidationError(_("This field cannot be empty."), code="required")]
    elif len(title) > 300:
        errors["title"] = [ValidationError(_("300 characters at most."), code="max_length")]
    if not body:
        errors["body"] = [ValidationError(_("This field cannot be empty."), code="required")]
    if topic is not None and topic.administration_id not in (None, administration.pk):
        errors["topic"] = [
            ValidationError(_("This topic belongs to another administration."), code="invalid")
        ]
    if article is None:
        external_id = (external_id or "").strip() or f"MAN-{secrets.token_hex(4).upper()}"
        if not _EXTERNAL_ID_RE.match(external_id):
            errors["external_id"] = [
                ValidationError(
                    _("1 to 64 letters, digits, dots, dashes or underscores."), code="invalid"
                )
            ]
        elif KnowledgeArticle.objects.filter(
            administration=administration, external_id=external_id
        ).exists():
            errors["external_id"] = [
                ValidationError(_("Another article already has this identifier."), code="unique")
            ]
    if errors:
        raise ValidationError(errors)
    passages = _manual_passages(title, body)
    if not passages:
        raise ValidationError(
            {"body": [ValidationError(_("The text has no paragraph."), code="invalid")]}
        )
    created = article is None
    before = None
    if article is None:
        article = KnowledgeArticle(
            administration=administration,
            external_id=external_id,
            source_format=KnowledgeArticle.Format.MANUAL,
        )
    else:
        before = {"title": article.title, "topic": article.topic_id, "url": article.source_url}
    article.title = title
    article.summary = (summary or "").strip()
    article.body = body
    article.source_url = (source_url or "").strip()
    article.topic = topic
    article.updated_on = timezone.localdate()
    article.content_hash = ArticleData(
        external_id=article.external_id,
        title=title,
        body=body,
        source_format=article.source_format,
        summary=article.summary,
        source_url=article.source_url,
        topic_slug=topic.slug if topic else "",
        updated_on=article.updated_on,
    ).content_hash
    article.full_clean(validate_unique=False)
    article.save()
    _passages_replace(article, passages)
    search_index_article(article=article)
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.KNOWLEDGE,
        action="knowledge.article_created" if created else "knowledge.article_edited",
        target_label=f"{article.external_id} · {article.title}",
        data={
            "article": article.pk,
            "before": before,
            "after": {"title": article.title, "topic": article.topic_id, "url": article.source_url},
        },
    )
    return article


@transaction.atomic
def article_retire(
    *, actor: User, administration: Administration, article: KnowledgeArticle, active: bool
) -> KnowledgeArticle:
    """Retire (no longer used in drafts) or bring back one of the administration's articles."""
    _own_article(actor, article, administration)
    if article.is_active == active:
        return article
    article = article_set_active(article=article, active=active)
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.KNOWLEDGE,
        action="knowledge.article_reactivated" if active else "knowledge.article_retired",
        target_label=f"{article.external_id} · {article.title}",
        data={"article": article.pk},
    )
    return article


@transaction.atomic
def knowledge_upload(
    *, actor: User, administration: Administration, folder: Path, names: list[str]
) -> ImportReport:
    """Import uploaded fiches (saved in ``folder``) into the administration, all or nothing."""
    _require_settings(actor, administration)
    report = knowledge_import(path=folder, administration=administration, actor=actor)
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.KNOWLEDGE,
        action="knowledge.imported",
        target_label=", ".join(names)[:300],
        data={
            "files": names,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": report.skipped,
        },
    )
    return report
