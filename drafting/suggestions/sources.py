"""What a draft may draw on: the best fiches (whole, passage by passage) and the model answers
of the administration's bank whose question matches, numbered as the prompt shows them.

Past replies reach a draft only through the answer bank (bounded per administration), never
by searching every answered case: the cost of gathering does not grow with years of history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q

from cases.models import Case
from drafting.answers.models import BankAnswer
from drafting.answers.selectors import (
    bank_candidates,
    bank_question_vector,
    bank_semantic_candidates,
    bank_version,
)
from drafting.answers.similarity import same_object, subjects_of
from drafting.knowledge.embeddings import question_vectors
from drafting.knowledge.retrieval import (
    IndexSnapshot,
    fiche_title_terms,
    fiche_vocabulary,
    knowledge_snapshot,
    prefetch_question,
    retrieve_fiches,
    retrieve_fiches_and_vector,
    unit_similarities,
)
from drafting.knowledge.text import analyse
from drafting.knowledge.units import split_units
from drafting.models import KnowledgeArticle

from .asking import content_terms
from .compose import ComposeSource
from .judgement import EvidenceContext
from .prompts import Source

# The standing of the 1st, 2nd and 3rd fiche: the composer trusts the best one most.
RANK_PERTINENCE = (1.0, 0.75, 0.6)
BANK_CANDIDATES = 2
# Two questions this close in words are the same question, whatever the fiches say.
SAME_WORDS_SIMILARITY = 0.8


@dataclass
class Gathered:
    sources: list[Source]
    # (source number, unit position) -> embedding similarity with the question.
    unit_similarity: dict[tuple[int, int], float] = field(default_factory=dict)
    # What the composer's judgement of coverage needs beyond the sources (None: no fiche).
    context: EvidenceContext | None = None

    def for_composer(self) -> list[ComposeSource]:
        return [
            ComposeSource(
                n=source.number,
                kind=source.label,
                title=source.title,
                url=source.url,
                text=source.text,
                pertinence=source.pertinence,
                similarity=source.similarity,
            )
            for source in self.sources
        ]


def _title(article_title: str, heading: str) -> str:
    if not heading or heading == article_title:
        return article_title
    if heading.startswith(f"{article_title} › "):
        return heading
    return f"{article_title} › {heading}"


# A bank question's best fiche, kept with the index snapshot it was computed on (a bank question
# is asked again and again): a fiche added, edited, retired or imported changes the snapshot's
# stamp, and with it every best fiche of the scope (drafting/knowledge/snapshot.py).
BEST_FICHE_CACHE = 5000


def _answer_fiche(
    answer: BankAnswer, case: Case, snapshot: IndexSnapshot, bank: tuple[Any, ...] | None = None
) -> int | None:
    # ``bank``: the bank's version this draft read (``bank_version``; read again when None).
    # Kept with the vectors it was computed from too: the index's stamp does not change when
    # the embeddings of an edited fiche arrive later (or the model changes), and a best fiche
    # found by words alone meanwhile must not stay.
    computed_with = (
        snapshot.embedding_model,
        frozenset((snapshot.embedding_versions or {}).items()),
    )
    holder = snapshot.derived.get("bank_best_fiche")
    if holder is None or holder[0] != computed_with:
        holder = (computed_with, {})
        snapshot.derived["bank_best_fiche"] = holder
    best: dict[str, int | None] = holder[1]
    if answer.question not in best:
        # The bank question's vector, as the bank's matrix or QuestionVector holds it: it is
        # not embedded again.
        vector = (
            bank_question_vector(case.administration, answer.pk, version=bank)
            if answer.pk
            else None
        )
        if vector is None:
            vectors = question_vectors([answer.question])
            vector = vectors[0] if vectors is not None else None
        fiches = retrieve_fiches(
            answer.question,
            administration_id=case.administration_id,
            articles=1,
            question_vector=vector,
            snapshot=snapshot,
        )
        if len(best) >= BEST_FICHE_CACHE:
            best.clear()
        best[answer.question] = fiches[0].article_id if fiches else None
    return best[answer.question]


def _fiche_subjects(case: Case, snapshot: IndexSnapshot) -> frozenset[str]:
    """The words naming what the administration's fiches are about (the heads of their titles,
    ``drafting.answers.similarity.subjects_of``), kept with the snapshot: any knowledge change
    gives a new snapshot, hence new subjects."""
    cached = snapshot.derived.get("fiche_subjects")
    if cached is None:
        titles = KnowledgeArticle.objects.filter(
            Q(administration_id=case.administration_id) | Q(administration__isnull=True),
            is_active=True,
        ).values_list("title", flat=True)
        cached = subjects_of(titles)
        snapshot.derived["fiche_subjects"] = cached
    return cached


def _other_subject(question: str, answer: BankAnswer, case: Case, snapshot: IndexSnapshot) -> bool:
    """Whether the new question names a subject of the base (a word of a few fiches' titles:
    "passeport", "identité", "maladie") that neither the bank's question nor its answer speaks
    of: "la perte de ma *carte d'identité*" is not answered by the answer to "la perte de mon
    passeport", however close their meaning and whatever fiche retrieval chose."""
    subjects = fiche_title_terms(case.administration_id, snapshot=snapshot)
    named = set(analyse(question)) & subjects
    known = set(analyse(answer.question)) | set(analyse(answer.answer))
    return bool(named - known)


def _same_need(
    question_fiche: int | None,
    answer: BankAnswer,
    similarity: float,
    case: Case,
    snapshot: IndexSnapshot,
    bank: tuple[Any, ...],
) -> bool:
    """Whether a bank answer answers this need, not only shares its words.

    "Renouveler ma carte vitale perdue" and "renouveler ma carte d'identité perdue" share
    nearly every word and need different answers; the knowledge base tells them apart: their
    best fiches differ. A bank answer is offered only when its question leads to the same best
    fiche as the new one (or when the two questions are nearly the same words).
    """
    if similarity >= SAME_WORDS_SIMILARITY:
        return True
    if question_fiche is None:
        return False
    return _answer_fiche(answer, case, snapshot, bank) == question_fiche


def gather(case: Case, question: str) -> Gathered:
    """The numbered sources for ``case``'s draft, and the unit similarities when available."""
    # The question's vector is computed while the database answers the bank's query.
    prefetch_question(question)
    # The index as of now, read once for the whole draft.
    snapshot = knowledge_snapshot(case.administration_id)
    version = bank_version(case.administration_id)
    candidates = bank_candidates(case.administration, question, k=BANK_CANDIDATES, version=version)
    # BM25 ranks the fiches while the question is still being embedded: the retrieval waits
    # for the vector only to fuse the rankings, and gives it back for what follows.
    articles, vector = retrieve_fiches_and_vector(
        question,
        administration_id=case.administration_id,
        articles=settings.DRAFTING_FICHES,
        snapshot=snapshot,
    )
    semantic = (
        bank_semantic_candidates(
            case.administration,
            vector,
            k=BANK_CANDIDATES,
            min_similarity=settings.DRAFTING_BANK_SIMILARITY,
            version=version,
        )
        if vector is not None and settings.DRAFTING_BANK_SIMILARITY is not None
        else []
    )
    # The same answer found by words and by meaning: the closer judgement stands.
    merged: dict[int, tuple[BankAnswer, float, bool]] = {}
    for answer, similarity in candidates:
        merged[answer.pk] = (answer, similarity, False)
    for answer, cosine in semantic:
        if answer.pk not in merged or cosine > merged[answer.pk][1]:
            merged[answer.pk] = (answer, cosine, True)
    best_fiche = articles[0].article_id if articles else None
    subjects = _fiche_subjects(case, snapshot)
    sources: list[Source] = []
    for answer, similarity, by_meaning in sorted(merged.values(), key=lambda row: -row[1]):
        # A bank answer about another thing is never offered, to any backend, however close
        # the other words: "mon *passeport* perdu" is not "ma *carte d'identité* perdue".
        if not same_object(question, answer.question, subjects):
            continue
        # Close in meaning is not enough either ("carte vitale perdue" / "carte d'identité
        # perdue" embed close): the best fiche must be the same.
        if by_meaning:
            if best_fiche is None or _answer_fiche(answer, case, snapshot, version) != best_fiche:
                continue
            if _other_subject(question, answer, case, snapshot):
                continue
        elif not _same_need(best_fiche, answer, similarity, case, snapshot, version):
            continue
        sources.append(
            Source(
                number=len(sources) + 1,
                kind="answer",
                title=f"Réponse type : {answer.question[:120]}",
                url="",
                text=answer.answer,
                score=round(similarity, 4),
                ref={"bank_answer_id": answer.pk},
                pertinence=1.0,
                similarity=similarity,
            )
        )
    passage_of: dict[int, int] = {}
    for rank, article in enumerate(articles):
        pertinence = RANK_PERTINENCE[min(rank, len(RANK_PERTINENCE) - 1)]
        for passage in article.passages:
            number = len(sources) + 1
            passage_of[number] = passage.passage_id
            sources.append(
                Source(
                    number=number,
                    kind="passage",
                    title=_title(article.title, passage.heading),
                    url=article.url,
                    text=passage.text,
                    score=round(article.score, 4),
                    ref={
                        "article_id": article.article_id,
                        "passage_id": passage.passage_id,
                        "external_id": article.external_id,
                    },
                    pertinence=pertinence,
                )
            )
    gathered = Gathered(sources)
    if articles:
        fiche_count, frequencies = fiche_vocabulary(case.administration_id, snapshot=snapshot)
        gathered.context = EvidenceContext(
            rankings_agree=articles[0].rankings_agree,
            fiche_count=fiche_count,
            fiche_frequency=frequencies,
            bm25=articles[0].bm25,
            variants={
                term: found[0]
                for term in content_terms(question)
                if (found := snapshot.variants(term))
            },
        )
    if vector is not None and passage_of:
        owners: list[tuple[int, int]] = []
        keys: list[tuple[int, int]] = []
        for source in sources:
            if source.number not in passage_of:
                continue
            for unit in split_units(source.text):
                owners.append((source.number, unit.position))
                keys.append((passage_of[source.number], unit.position))
        similarities = unit_similarities(vector, keys)
        gathered.unit_similarity = {
            owner: value
            for owner, value in zip(owners, similarities, strict=True)
            if value  # 0.0: a unit not embedded yet (the task is on its way)
        }
    return gathered
