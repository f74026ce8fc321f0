"""Writes of the search index: the postings of knowledge passages and of answered cases."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial

from django.db import transaction

from cases.models import Case, Reply
from drafting.suggestions.pseudonymise import pseudonymise

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
