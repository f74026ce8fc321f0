"""Reads of the knowledge base that carry a rule: what an administration may read."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Administration

from .models import KnowledgeArticle


def articles_readable(administration: Administration | None) -> QuerySet[KnowledgeArticle]:
    """The national articles and the administration's own ones, retired ones included."""
    return KnowledgeArticle.objects.filter(
        Q(administration__isnull=True) | Q(administration=administration)
    )


def article_readable(administration: Administration | None, pk: int) -> KnowledgeArticle | None:
    """One article the administration may read (its own or a national one), else None."""
    return articles_readable(administration).filter(pk=pk).first()


def articles_in_use(administration: Administration) -> QuerySet[KnowledgeArticle]:
    """The active articles drafts may quote for the administration: national and its own."""
    return articles_readable(administration).filter(is_active=True)
