"""Retrieval: BM25 over the database's inverted index, behind LangChain's retriever interface.

The index (SearchDocument + Posting) lives in the database, so every web and worker process
reads the same, current ranking the moment an article is imported or a case answered, under
SQLite and PostgreSQL alike. Ranking is Okapi BM25: document frequencies and lengths come from
the index at query time. A deployment that outgrows one database points DRAFTING_RETRIEVER at
another ``build_retrievers`` (a search cluster) without touching the pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, Q
from django.utils.module_loading import import_string
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from .models import KnowledgeArticle, Passage, Posting, SearchDocument
from .text import query_terms

K1 = 1.2
B = 0.75
# Terms present in more than this share of documents rank nothing and cost the most to sum.
MAX_DOCUMENT_SHARE = 0.5


def _scope(kind: str, administration_id: int) -> Q:
    if kind == SearchDocument.Kind.PASSAGE:
        return Q(administration_id=administration_id) | Q(administration__isnull=True)
    return Q(administration_id=administration_id)


def _scope_sql(kind: str) -> str:
    """``_scope`` for the raw statements below, on the postings aliased ``p``."""
    if kind == SearchDocument.Kind.PASSAGE:
        return "(p.administration_id = %s OR p.administration_id IS NULL)"
    return "p.administration_id = %s"


def _document_frequencies(
    kind: str, administration_id: int, terms: list[str], *, cap: int | None = None
) -> dict[str, int]:
    """How many documents in scope contain each term (terms found nowhere are left out).

    One count per term, each read from the lookup index alone: cheaper than grouping the
    postings of all the terms together. With ``cap``, a count stops there: a term already in
    more documents than ranking keeps is not worth counting to the end.
    """
    posting = Posting._meta.db_table
    values = ", ".join(["(%s)"] * len(terms))
    postings = f"""
        SELECT 1 FROM {posting} p
        WHERE p.kind = %s AND {_scope_sql(kind)} AND p.term = q.column1
    """  # noqa: S608 - only placeholders and our own table name are interpolated
    params: list = [kind, administration_id]
    if cap is not None:
        postings += " LIMIT %s"
        params.append(cap)
    sql = f"""
        SELECT q.column1, (SELECT COUNT(*) FROM ({postings}) AS found)
        FROM (VALUES {values}) AS q
    """  # noqa: S608 - only placeholders and our own table name are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *terms])
        return {term: df for term, df in cursor.fetchall() if df}


def _score(
    kind: str, administration_id: int, idf: dict[str, float], avgdl: float, k: int
) -> list[tuple[int, float]]:
    """Sum BM25 contributions over the postings of the query terms, in one SQL statement.

    Raw SQL because the ORM spends longer compiling a per-term CASE than the database takes
    to run it; the statement is plain SQL that SQLite and PostgreSQL both accept. Every
    constant is cast: as a bare literal, PostgreSQL would compute the sum in slow ``numeric``.
    """
    posting = Posting._meta.db_table
    weights = ", ".join(["(%s, CAST(%s AS DOUBLE PRECISION))"] * len(idf))
    sql = f"""
        SELECT p.document_id,
               SUM(w.column2 * p.tf * CAST(%s AS DOUBLE PRECISION)
                   / (p.tf + CAST(%s AS DOUBLE PRECISION) * (CAST(%s AS DOUBLE PRECISION)
                   + CAST(%s AS DOUBLE PRECISION) * p.length / CAST(%s AS DOUBLE PRECISION))))
                   AS score
        FROM {posting} p
        JOIN (VALUES {weights}) AS w ON p.term = w.column1
        WHERE p.kind = %s AND {_scope_sql(kind)}
        GROUP BY p.document_id
        ORDER BY score DESC, p.document_id
        LIMIT %s
    """  # noqa: S608 - only placeholders and our own table name are interpolated
    params: list = [K1 + 1, K1, 1 - B, B, avgdl]
    for term, weight in idf.items():
        params += [term, weight]
    params += [kind, administration_id, k]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def bm25_search(
    query: str, *, kind: str, administration_id: int, k: int = 5
) -> list[tuple[SearchDocument, float]]:
    """The ``k`` best documents of ``kind`` visible to ``administration_id``, with scores."""
    terms = query_terms(query)
    if not terms:
        return []
    scope = _scope(kind, administration_id)
    # COUNT(*), not COUNT(id): the scope index, which includes length, then answers alone.
    stats = SearchDocument.objects.filter(scope, kind=kind).aggregate(
        n=Count("*"), avgdl=Avg("length")
    )
    n, avgdl = stats["n"], stats["avgdl"] or 1.0
    if not n:
        return []
    # Past this count a term is dropped (MAX_DOCUMENT_SHARE): counting further changes nothing.
    cap = None if n < 20 else math.floor(n * MAX_DOCUMENT_SHARE) + 1
    frequencies = _document_frequencies(kind, administration_id, terms, cap=cap)
    idf = {
        term: math.log(1 + (n - df + 0.5) / (df + 0.5))
        for term, df in frequencies.items()
        if n < 20 or df / n <= MAX_DOCUMENT_SHARE
    }
    if not idf:
        return []
    ranked = _score(kind, administration_id, idf, float(avgdl), k)
    documents = SearchDocument.objects.in_bulk([doc_id for doc_id, _ in ranked])
    return [(documents[doc_id], s) for doc_id, s in ranked if doc_id in documents]


class DatabaseBM25Retriever(BaseRetriever):
    """Knowledge passages (national + own) or answered cases (own only) for one administration."""

    administration_id: int
    kind: str = SearchDocument.Kind.PASSAGE
    k: int = 5
    # At most this many passages of one article: the sources stay varied.
    per_article: int = 2

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[Document]:
        fetch = self.k * 3 if self.kind == SearchDocument.Kind.PASSAGE else self.k
        results = bm25_search(
            query, kind=self.kind, administration_id=self.administration_id, k=fetch
        )
        documents: list[Document] = []
        per_article: dict[Any, int] = {}
        if self.kind == SearchDocument.Kind.PASSAGE:
            passage_articles = dict(
                SearchDocument.objects.filter(pk__in=[d.pk for d, _ in results]).values_list(
                    "pk", "passage__article_id"
                )
            )
        for document, score in results:
            metadata: dict[str, Any] = {
                "kind": document.kind,
                "document_id": document.pk,
                "title": document.title,
                "url": document.url,
                "score": round(score, 4),
            }
            if document.kind == SearchDocument.Kind.PASSAGE:
                article_id = passage_articles.get(document.pk)
                if per_article.get(article_id, 0) >= self.per_article:
                    continue
                per_article[article_id] = per_article.get(article_id, 0) + 1
                metadata["article_id"] = article_id
                metadata["passage_id"] = document.passage_id
            else:
                metadata["case_id"] = document.case_id
            documents.append(Document(page_content=document.text, metadata=metadata))
            if len(documents) >= self.k:
                break
        return documents


def build_retrievers(administration_id: int) -> tuple[BaseRetriever, BaseRetriever]:
    """The default pair: knowledge passages and past answered cases."""
    k = settings.DRAFTING_TOP_K
    return (
        DatabaseBM25Retriever(administration_id=administration_id, kind="passage", k=k),
        DatabaseBM25Retriever(administration_id=administration_id, kind="case", k=3),
    )


def get_retrievers(administration_id: int) -> tuple[BaseRetriever, BaseRetriever]:
    factory = import_string(
        getattr(settings, "DRAFTING_RETRIEVER", "drafting.retrieval.build_retrievers")
    )
    return factory(administration_id)


# --- fiches for a draft -----------------------------------------------------------------------


@dataclass
class RetrievedPassage:
    passage_id: int
    position: int
    heading: str
    text: str


@dataclass
class RetrievedArticle:
    article_id: int
    external_id: str
    title: str
    url: str
    score: float
    rank: int
    passages: list[RetrievedPassage] = field(default_factory=list)


def retrieve_fiches(
    question: str, *, administration_id: int, articles: int = 3
) -> list[RetrievedArticle]:
    """The ``articles`` best fiches for ``question``, each with all its passages in order.

    An article ranks by its best passage (BM25); the composer then chooses the sentences, so no
    per-fiche cap can drop the passage that answers.
    """
    results = bm25_search(
        question, kind=SearchDocument.Kind.PASSAGE, administration_id=administration_id, k=30
    )
    article_of = dict(
        SearchDocument.objects.filter(pk__in=[d.pk for d, _ in results]).values_list(
            "pk", "passage__article_id"
        )
    )
    best: dict[int, float] = {}
    for document, score in results:
        article_id = article_of.get(document.pk)
        if article_id is not None and article_id not in best:
            best[article_id] = score
    chosen = list(best)[:articles]
    rows = KnowledgeArticle.objects.in_bulk(chosen)
    retrieved = [
        RetrievedArticle(
            article_id=pk,
            external_id=rows[pk].external_id,
            title=rows[pk].title,
            url=rows[pk].source_url,
            score=best[pk],
            rank=rank,
        )
        for rank, pk in enumerate(chosen)
        if pk in rows
    ]
    by_id = {article.article_id: article for article in retrieved}
    for passage in Passage.objects.filter(article_id__in=by_id).order_by("article_id", "position"):
        by_id[passage.article_id].passages.append(
            RetrievedPassage(passage.pk, passage.position, passage.heading, passage.text)
        )
    return retrieved


def embed_question(question: str) -> Any | None:
    """The question's embedding; None without the semantic layer."""
    return None


def unit_similarities(question_vector: Any, keys: list[tuple[int, int]]) -> list[float | None]:
    """Similarity of each (passage, unit position) with the question; None where unknown."""
    return [None for _ in keys]
