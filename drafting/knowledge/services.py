"""Every write of the knowledge base: imports, articles written in Guichet, retiring.

Each write re-indexes the article's passages; the administrators' writes keep the journal.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry, User
from accounts.permissions import MANAGE_SETTINGS, has_administration_perm
from accounts.services import audit_record
from cases.models import Topic
from drafting.audit_actions import DraftingAuditAction

from .fiches import (
    ArticleData,
    KnowledgeFileError,
    knowledge_files,
    read_knowledge_file,
    split_passages,
)
from .index import search_index_article
from .models import KnowledgeArticle, Passage
from .text import strip_accents


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
        raise KnowledgeImportError([KnowledgeFileError(path, _("no such file or folder."))])
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
                    _("external id %(id)s is also used by %(other)s.")
                    % {"id": data.external_id, "other": seen[data.external_id].name},
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


def _own_topic(title: str, administration: Administration | None) -> Topic | None:
    """The administration's own active topic whose name the article's title contains (the
    longest such name): an administration that made a topic "Carte mobilité inclusion" files
    the fiche of that name under it, not under the national topic its words suggest."""
    if administration is None:
        return None
    folded = strip_accents(title.lower())
    named = [
        (len(name), topic)
        for topic in Topic.objects.filter(administration=administration, is_active=True)
        if len(name := strip_accents(topic.name.lower()).strip()) >= 3
        and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded)
    ]
    return max(named, key=lambda pair: pair[0])[1] if named else None


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
    # The administration's own topic named in the title; else the one the article has (an
    # administrator may have chosen it); else the national topic its words suggest.
    article.topic = (
        _own_topic(data.title, administration)
        or article.topic
        or _topic_for(data.topic_slug, administration)
    )
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
    sections: list[tuple[str, list[str]]] = []
    heading = title
    blocks: list[str] = []
    paragraph: list[str] = []
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
        action=(
            DraftingAuditAction.ARTICLE_CREATED if created else DraftingAuditAction.ARTICLE_EDITED
        ),
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
        action=(
            DraftingAuditAction.ARTICLE_REACTIVATED
            if active
            else DraftingAuditAction.ARTICLE_RETIRED
        ),
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
        action=DraftingAuditAction.KNOWLEDGE_IMPORTED,
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
