"""Writes of the search index: the postings of knowledge passages.

Answered cases are not indexed: past replies reach drafts only through the answer bank
(``drafting.answers``), bounded per administration.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from .models import Embedding, KnowledgeArticle, Posting, SearchDocument
from .tasks import queue_embedding
from .text import term_frequencies


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
    """(Re)build the search documents of an article's passages; an inactive article has none.

    Its vectors (drafting/knowledge/embeddings.py) are computed by a task once this commits.
    """
    SearchDocument.objects.filter(passage__article=article).delete()
    if not article.is_active:
        Embedding.objects.filter(passage__article=article).delete()
        return 0
    transaction.on_commit(partial(queue_embedding, article.pk))
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
