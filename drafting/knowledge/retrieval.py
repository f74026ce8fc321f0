"""Retrieval: BM25 over the database's inverted index, behind LangChain's retriever interface.

The index (SearchDocument + Posting) lives in the database, so every web and worker process
reads the same, current ranking the moment an article is imported or a case answered, under
SQLite and PostgreSQL alike. Ranking is Okapi BM25: document frequencies and lengths come from
the index at query time. Only knowledge passages are indexed: past replies reach drafts through
the answer bank. A deployment that outgrows one database points DRAFTING_RETRIEVER at another
``build_retrievers`` (a search cluster) without touching the pipeline.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.module_loading import import_string
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from . import embeddings
from .compounds import names_title, title_subject, title_thing
from .models import KnowledgeArticle, Passage, Posting, SearchDocument
from .snapshot import VARIANT_WEIGHT, IndexSnapshot, index_snapshot
from .text import analyse, query_terms

logger = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
# Terms present in more than this share of documents rank nothing and cost the most to sum.
MAX_DOCUMENT_SHARE = 0.5


def _scope_sql(kind: str) -> str:
    """``_scope`` for the raw statements below, on the postings aliased ``p``."""
    return "(p.administration_id = %s OR p.administration_id IS NULL)"


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


def query_weights(query: str, snapshot: IndexSnapshot) -> dict[str, float]:
    """The BM25 weight (idf) of each term of ``query`` in the snapshot's scope.

    A term the index does not know stands for the known terms it is a variant of (another
    form of the word, a typo: ``IndexSnapshot.variants``), at ``VARIANT_WEIGHT``. Terms in
    more than ``MAX_DOCUMENT_SHARE`` of the documents rank nothing and are dropped.
    """
    n = snapshot.documents
    if not n:
        return {}
    weights: dict[str, float] = {}
    for term in query_terms(query):
        found = [(term, 1.0)] if term in snapshot.frequencies else []
        found += [(variant, VARIANT_WEIGHT) for variant in snapshot.variants(term)]
        for known, share in found:
            df = snapshot.frequencies[known]
            if n >= 20 and df / n > MAX_DOCUMENT_SHARE:
                continue
            weight = share * math.log(1 + (n - df + 0.5) / (df + 0.5))
            weights[known] = max(weights.get(known, 0.0), weight)
    return weights


def bm25_ranking(
    query: str,
    *,
    kind: str,
    administration_id: int,
    k: int = 5,
    snapshot: IndexSnapshot | None = None,
) -> list[tuple[int, float]]:
    """The ``k`` best search documents of ``kind`` in scope: (document id, score).

    Document frequencies and lengths come from the scope's snapshot (one statement, rebuilt
    when the index changes); the scores from one statement over the postings.
    """
    if snapshot is None:
        snapshot = index_snapshot(administration_id, kind=kind)
    idf = query_weights(query, snapshot)
    if not idf:
        return []
    return _score(kind, administration_id, idf, snapshot.average_length, k)


def bm25_search(
    query: str, *, kind: str, administration_id: int, k: int = 5
) -> list[tuple[SearchDocument, float]]:
    """The ``k`` best documents of ``kind`` visible to ``administration_id``, with scores."""
    ranked = bm25_ranking(query, kind=kind, administration_id=administration_id, k=k)
    documents = SearchDocument.objects.in_bulk([doc_id for doc_id, _ in ranked])
    return [(documents[doc_id], s) for doc_id, s in ranked if doc_id in documents]


class DatabaseBM25Retriever(BaseRetriever):
    """Knowledge passages (national + own) for one administration, BM25 alone.

    Answered cases are not indexed: past replies reach drafts only through the answer bank.
    """

    administration_id: int
    kind: str = SearchDocument.Kind.PASSAGE
    k: int = 5
    # At most this many passages of one article: the sources stay varied.
    per_article: int = 2

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[Document]:
        results = bm25_search(
            query, kind=self.kind, administration_id=self.administration_id, k=self.k * 3
        )
        documents: list[Document] = []
        per_article: dict[Any, int] = {}
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
            article_id = passage_articles.get(document.pk)
            if per_article.get(article_id, 0) >= self.per_article:
                continue
            per_article[article_id] = per_article.get(article_id, 0) + 1
            metadata["article_id"] = article_id
            metadata["passage_id"] = document.passage_id
            documents.append(Document(page_content=document.text, metadata=metadata))
            if len(documents) >= self.k:
                break
        return documents


# --- hybrid retrieval of whole fiches -------------------------------------------------------

# Reciprocal rank fusion: a passage scores sum(1 / (RRF_K + rank)) over the rankings (1-based).
RRF_K = 60
# How deep each ranking is read before fusion.
FUSION_DEPTH = 50


@dataclass
class RetrievedPassage:
    passage_id: int
    position: int
    heading: str
    text: str
    # This passage's fused score (0.0 when neither ranking reached it).
    score: float = 0.0


@dataclass
class RetrievedArticle:
    article_id: int
    external_id: str
    title: str
    url: str
    score: float  # the best fused score of its passages
    rank: int  # 0-based
    passages: list[RetrievedPassage] = field(default_factory=list)  # all of them, in order
    # What the fusion hides, for confidence: best BM25 score and best cosine of its passages.
    bm25: float = 0.0
    similarity: float | None = None
    # Whether BM25 and the embeddings put the same fiche first (None: one ranking is missing).
    rankings_agree: bool | None = None


def fuse(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion of rankings of ids (best first)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


class HybridFicheRetriever(BaseRetriever):
    """The fiches that answer a question: BM25 and semantic passage rankings fused (RRF).

    One Document per passage of each selected article, all of an article's passages in their
    order (the composer chooses sentences; no per-fiche cap), articles best first. Metadata:
    ``article_id, external_id, article_title, url, article_score, article_rank, passage_id,
    position, heading, score, bm25, similarity``. BM25 alone when embeddings are off, not
    computed yet, or the backend fails (never raises for it).
    """

    administration_id: int
    articles: int = 3
    depth: int = FUSION_DEPTH
    # A vector already computed for this question (else embed_question is called).
    question_vector: Any = None
    # The scope's index snapshot, when the caller read it already (``knowledge_snapshot``).
    snapshot: Any = None
    # The vector the last ranking fused with (None: BM25 alone), for retrieve_fiches_and_vector
    # (a private attribute of the model: its name starts with an underscore).
    _fused_vector: Any = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[Document]:
        # The question's vector is computed while the database ranks with BM25 (the engine
        # releases the GIL): a draft waits for the slower of the two, not for their sum.
        if self.question_vector is None:
            embeddings.prefetch_question(query)
        snapshot = self.snapshot or knowledge_snapshot(self.administration_id)
        lexical_ranked = bm25_ranking(
            query,
            kind=SearchDocument.Kind.PASSAGE,
            administration_id=self.administration_id,
            k=self.depth,
            snapshot=snapshot,
        )
        articles_of: dict[int, int] = {}
        lexical_ids: list[int] = []
        bm25_scores: dict[int, float] = {}
        for document_id, score in lexical_ranked:
            owner = snapshot.owners.get(document_id)
            if owner is None:  # indexed after the snapshot was read: the next draft sees it
                continue
            lexical_ids.append(owner[0])
            bm25_scores[owner[0]] = score
            articles_of[owner[0]] = owner[1]
        semantic: list[tuple[int, int, float]] = []
        vector = self.question_vector
        if vector is None:
            vector = embeddings.embed_question(query)
        self._fused_vector = vector
        if vector is not None:
            try:
                semantic = embeddings.passage_ranking(
                    vector,
                    administration_id=self.administration_id,
                    k=self.depth,
                    versions=(
                        snapshot.embedding_versions
                        if snapshot.embedding_model
                        == getattr(embeddings.get_backend(), "model_name", None)
                        else None
                    ),
                )
            except Exception:  # a broken matrix must not break a draft: BM25 alone
                logger.warning("Semantic ranking failed; BM25 alone.", exc_info=True)
        similarities = {passage_id: cosine for passage_id, _, cosine in semantic}
        articles_of.update({passage_id: article for passage_id, article, _ in semantic})
        fused = fuse([lexical_ids, [passage_id for passage_id, _, _ in semantic]])
        best: dict[int, float] = {}
        for passage_id, score in fused.items():
            article_id = articles_of.get(passage_id)
            if article_id is not None and score > best.get(article_id, 0.0):
                best[article_id] = score
        lexical_first = articles_of.get(lexical_ids[0]) if lexical_ids else None
        semantic_first = semantic[0][1] if semantic else None
        agree = (
            None
            if lexical_first is None or semantic_first is None
            else lexical_first == semantic_first
        )
        ranked = sorted(best, key=lambda article_id: (-best[article_id], article_id))
        chosen = named_first(query, ranked, snapshot)
        if agree and chosen[0] != ranked[0]:
            # Both rankings put another fiche first than the one the question names.
            agree = False
        for article_id in chosen[: chosen.index(ranked[0])] if ranked else []:
            # A fiche the question names ranks as the first: found by its title alone, it
            # scores as the first did.
            best[article_id] = max(best.get(article_id, 0.0), best[ranked[0]])
        fiches = snapshot.fiches_of(chosen[: self.articles + 2])
        chosen = [article_id for article_id in chosen if article_id in fiches][: self.articles]
        documents: list[Document] = []
        for rank, article_id in enumerate(chosen):
            article, own = fiches[article_id]
            article_bm25 = max((bm25_scores.get(p.pk, 0.0) for p in own), default=0.0)
            cosines = [similarities[p.pk] for p in own if p.pk in similarities]
            for passage in own:
                documents.append(
                    Document(
                        page_content=passage.text,
                        metadata={
                            "kind": SearchDocument.Kind.PASSAGE,
                            "article_id": article_id,
                            "external_id": article.external_id,
                            "article_title": article.title,
                            "title": passage.heading or article.title,
                            "url": article.source_url,
                            "article_score": best[article_id],
                            "article_rank": rank,
                            "article_bm25": article_bm25,
                            "article_similarity": max(cosines) if cosines else None,
                            "rankings_agree": agree,
                            "passage_id": passage.pk,
                            "position": passage.position,
                            "heading": passage.heading,
                            "score": fused.get(passage.pk, 0.0),
                            "bm25": bm25_scores.get(passage.pk),
                            "similarity": similarities.get(passage.pk),
                        },
                    )
                )
        return documents


def knowledge_snapshot(administration_id: int) -> IndexSnapshot:
    """The scope's current index snapshot and the stamps of its vectors, in one statement: read
    it once per draft and pass it to ``retrieve_fiches``, ``fiche_vocabulary``... Whatever is
    kept under its ``stamp`` is current (see drafting/knowledge/snapshot.py)."""
    backend = embeddings.get_backend()
    return index_snapshot(administration_id, model_name=backend.model_name if backend else None)


def retrieve_fiches(
    question: str,
    *,
    administration_id: int,
    articles: int = 3,
    question_vector: Any = None,
    snapshot: IndexSnapshot | None = None,
) -> list[RetrievedArticle]:
    """See ``retrieve_fiches_and_vector``."""
    return retrieve_fiches_and_vector(
        question,
        administration_id=administration_id,
        articles=articles,
        question_vector=question_vector,
        snapshot=snapshot,
    )[0]


def retrieve_fiches_and_vector(
    question: str,
    *,
    administration_id: int,
    articles: int = 3,
    question_vector: Any = None,
    snapshot: IndexSnapshot | None = None,
) -> tuple[list[RetrievedArticle], Any]:
    """The ``articles`` fiches (national + the administration's own) that best answer
    ``question``, ranked by reciprocal rank fusion (k=60) of the BM25 and the embedding passage
    rankings (an article scores its best passage), each with ALL its passages in order.
    BM25 alone when embeddings are off or failing. ``question_vector`` (from
    ``embed_question``) saves embedding the question twice; ``snapshot`` (from
    ``knowledge_snapshot``) reading the index's stamp twice. Returns the fiches and the
    question's vector the fusion used (None when it ranked with BM25 alone)."""
    retriever = HybridFicheRetriever(
        administration_id=administration_id,
        articles=articles,
        question_vector=question_vector,
        snapshot=snapshot,
    )
    found: dict[int, RetrievedArticle] = {}
    for document in retriever.invoke(question):
        meta = document.metadata
        article = found.get(meta["article_id"])
        if article is None:
            article = found[meta["article_id"]] = RetrievedArticle(
                article_id=meta["article_id"],
                external_id=meta["external_id"],
                title=meta["article_title"],
                url=meta["url"],
                score=meta["article_score"],
                rank=meta["article_rank"],
                bm25=meta["article_bm25"],
                similarity=meta["article_similarity"],
                rankings_agree=meta["rankings_agree"],
            )
        article.passages.append(
            RetrievedPassage(
                passage_id=meta["passage_id"],
                position=meta["position"],
                heading=meta["heading"],
                text=document.page_content,
                score=meta["score"],
            )
        )
    # The question's vector the fusion used (None: BM25 alone), for the caller's other uses.
    return sorted(found.values(), key=lambda article: article.rank), retriever._fused_vector


def embed_question(question: str):
    """The question's vector for ``unit_similarities`` (None when embeddings are off/failing)."""
    return embeddings.embed_question(question)


def prefetch_question(question: str) -> None:
    """Start embedding the question now (in the background); call it as soon as the question
    is known, before the answer bank's query, so the vector is ready for ``retrieve_fiches``."""
    embeddings.prefetch_question(question)


def unit_similarities(question_vector, keys: list[tuple[int, int]]) -> list[float]:
    """Cosine of the question to each unit ``(passage_id, position in split_units)``; 0.0 for
    a unit without a vector."""
    return embeddings.unit_similarities(question_vector, keys)


def build_retrievers(administration_id: int) -> BaseRetriever:
    """The default knowledge retriever (BM25 over the passages). Past answered cases are not
    searched: they reach drafts only through the answer bank (``drafting.answers``)."""
    return DatabaseBM25Retriever(
        administration_id=administration_id,
        kind=SearchDocument.Kind.PASSAGE,
        k=settings.DRAFTING_TOP_K,
    )


def get_retrievers(administration_id: int) -> BaseRetriever:
    factory = import_string(
        getattr(settings, "DRAFTING_RETRIEVER", "drafting.knowledge.retrieval.build_retrievers")
    )
    return factory(administration_id)


# --- the vocabulary of the fiches (what the base speaks of at all) ----------------------------

# A word in the titles of at most this many fiches names a subject ("passeport", "vitale");
# one in more titles ("carte", "demande") does not.
SUBJECT_TITLES = 3


def fiche_vocabulary(
    administration_id: int, *, snapshot: IndexSnapshot | None = None
) -> tuple[int, dict[str, int]]:
    """(number of active fiches visible to the administration, fiche frequency of each term).

    A term's fiche frequency is the number of fiches (title, headings and text) that use it:
    0 for a word the base never uses. Kept with the index snapshot: rebuilt when the index
    changes.
    """
    entry = _vocabulary(snapshot or knowledge_snapshot(administration_id))
    return entry[0], entry[1]


def fiche_title_terms(
    administration_id: int, *, snapshot: IndexSnapshot | None = None
) -> frozenset[str]:
    """The subjects the base has a fiche for: the terms found in the titles of at most
    ``SUBJECT_TITLES`` of the fiches visible to the administration."""
    return _vocabulary(snapshot or knowledge_snapshot(administration_id))[2]


def named_first(question: str, ranked: list[int], snapshot: IndexSnapshot) -> list[int]:
    """``ranked`` (article ids, best first) with the fiches whose thing the question names
    first ("ma carte de séjour", "ma carte vitale": ``compounds.names_title``), when it names
    one thing only and not the subject of the fiche ranked first. "On m'a volé mon sac avec ma
    carte de sécurité sociale" ranked the fiche on a stolen identity card first (same words,
    same meaning): the usager named the carte Vitale. A fiche named and not ranked at all
    comes first too (after the others named)."""
    if not ranked:
        return ranked
    titles = fiche_titles(snapshot)
    first = titles.get(ranked[0], "")
    asked = set(query_terms(question))
    if not first or names_title(question, first) or set(analyse(title_subject(first))) <= asked:
        return ranked
    # A word of the first fiche's title no other title has ("actualisation" for "France
    # Travail : l'actualisation mensuelle") names it too.
    if _unique_title_terms(snapshot).get(ranked[0], frozenset()) & asked:
        return ranked
    named = [pk for pk, title in titles.items() if names_title(question, title)]
    things = {title_thing(titles[pk]) for pk in named}
    if len(things) != 1:
        return ranked
    order = {pk: i for i, pk in enumerate(ranked)}
    named.sort(key=lambda pk: (order.get(pk, len(ranked)), pk))
    return named + [pk for pk in ranked if pk not in named]


def _unique_title_terms(snapshot: IndexSnapshot) -> dict[int, frozenset[str]]:
    """The terms of each fiche's title that no other title has (counted with the vocabulary)."""
    _vocabulary(snapshot)
    return snapshot.derived["unique_title_terms"]


def fiche_titles(snapshot: IndexSnapshot) -> dict[int, str]:
    """The titles of the active fiches in the snapshot's scope, by article id."""
    _vocabulary(snapshot)
    return snapshot.derived["titles"]


def _vocabulary(snapshot: IndexSnapshot) -> tuple[int, dict[str, int], frozenset[str]]:
    cached = snapshot.derived.get("vocabulary")
    if cached is not None:
        return cached
    scope = Q(article__administration_id=snapshot.administration_id) | Q(
        article__administration__isnull=True
    )
    passages = Passage.objects.filter(scope, article__is_active=True)
    terms_of: dict[int, set[str]] = {}
    titles = dict(
        KnowledgeArticle.objects.filter(pk__in=passages.values("article_id")).values_list(
            "pk", "title"
        )
    )
    in_titles: dict[str, int] = {}
    for article_id, title in titles.items():
        terms_of[article_id] = set(analyse(title))
        for term in terms_of[article_id]:
            in_titles[term] = in_titles.get(term, 0) + 1
    for article_id, heading, text in passages.values_list("article_id", "heading", "text"):
        terms = terms_of.setdefault(article_id, set())
        terms.update(analyse(heading))
        terms.update(analyse(text))
    frequencies: dict[str, int] = {}
    for terms in terms_of.values():
        for term in terms:
            frequencies[term] = frequencies.get(term, 0) + 1
    subjects = frozenset(term for term, count in in_titles.items() if count <= SUBJECT_TITLES)
    entry = (len(terms_of), frequencies, subjects)
    snapshot.derived["unique_title_terms"] = {
        pk: frozenset(t for t in analyse(title) if in_titles[t] == 1)
        for pk, title in titles.items()
    }
    snapshot.derived["titles"] = titles
    snapshot.derived["vocabulary"] = entry
    return entry
