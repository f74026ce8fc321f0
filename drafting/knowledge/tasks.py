"""The knowledge base's Celery task: an article's vectors, computed after its import commits.

Found by Celery's autodiscovery of the rooms; its name is ``drafting.tasks.embed_article``,
like every task of the app. A failing embedding backend never fails an import: the article
is already searchable with BM25; the task retries with backoff, then leaves the article to
``manage.py embed_knowledge --missing-only``.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from . import embeddings

logger = logging.getLogger(__name__)

MAX_RETRIES = 4
BACKOFF_SECONDS = 30


@shared_task(
    bind=True,
    name="drafting.tasks.embed_article",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=MAX_RETRIES,
)
def embed_article(self, article_id: int) -> int:
    try:
        return embeddings.embed_article(article_id)
    except embeddings.EmbeddingsUnavailable as exc:
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            logger.warning(
                "Article %s not embedded (%s): BM25 only until "
                "`manage.py embed_knowledge --missing-only`.",
                article_id,
                exc,
            )
            return 0
        raise self.retry(exc=exc, countdown=BACKOFF_SECONDS * 2**self.request.retries) from exc


def queue_embedding(article_id: int) -> None:
    """Queue ``embed_article``; called on commit, it must not fail what committed."""
    if not embeddings.enabled():
        return
    try:
        embed_article.delay(article_id)
    except Exception:  # broker down, or the eager run failing: the backfill will do it
        logger.warning("Could not queue the embedding of article %s.", article_id, exc_info=True)
