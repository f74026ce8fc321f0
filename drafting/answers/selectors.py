"""Reads of the answer bank: tenant first, bounded.

``bank_candidates`` is what the drafting pipeline calls: the bank's answers whose *question*
matches the new one closely (see drafting/answers/similarity.py), from an index of the
administration's active answers kept per process and rebuilt when the bank changes (its
version is read from an index alone: the number of active answers and the newest update).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, FloatField, Func, Max, Q, QuerySet, Sum

from accounts.models import Administration, User
from accounts.permissions import VIEW_CASES, administrations_with_perm
from cases.models import Reply, Topic
from drafting.knowledge import embeddings

from .models import BankAnswer
from .similarity import QuestionIndex

__all__ = [
    "answers_visible_to",
    "bank_answer_get",
    "bank_candidates",
    "bank_question_vector",
    "bank_search",
    "bank_semantic_candidates",
    "bank_settings",
    "bank_version",
    "reply_for_bank",
]


@dataclass(frozen=True)
class BankSettings:
    cap: int
    min_similarity: float
    reopen_days: int
    poor_rating: int
    duplicate_similarity: float


def bank_settings() -> BankSettings:
    """The bank's settings (``ANSWER_BANK_*``), with their defaults."""
    return BankSettings(
        cap=int(getattr(settings, "ANSWER_BANK_CAP", 500)),
        min_similarity=float(getattr(settings, "ANSWER_BANK_MIN_SIMILARITY", 0.5)),
        reopen_days=int(getattr(settings, "ANSWER_BANK_REOPEN_DAYS", 14)),
        poor_rating=int(getattr(settings, "ANSWER_BANK_POOR_RATING", 2)),
        duplicate_similarity=float(getattr(settings, "ANSWER_BANK_DUPLICATE_SIMILARITY", 0.9)),
    )


def answers_visible_to(user: User, administration: Administration) -> QuerySet[BankAnswer]:
    """``administration``'s bank, if ``user`` may see its cases; else nothing."""
    if not administrations_with_perm(user, VIEW_CASES).filter(pk=administration.pk).exists():
        return BankAnswer.objects.none()
    return BankAnswer.objects.filter(administration=administration)


def bank_answer_get(user: User, administration: Administration, pk: int) -> BankAnswer:
    """One answer of ``administration``'s bank; ``BankAnswer.DoesNotExist`` for another
    administration's (callers answer 404, exactly as for one that does not exist)."""
    return (
        answers_visible_to(user, administration)
        .select_related("topic", "created_by", "source_case")
        .get(pk=pk)
    )


def reply_for_bank(user: User, administration: Administration, pk: int) -> Reply:
    """A sent reply of ``administration`` that ``user`` may see; ``Reply.DoesNotExist``
    otherwise."""
    if not administrations_with_perm(user, VIEW_CASES).filter(pk=administration.pk).exists():
        raise Reply.DoesNotExist("No reply matches the given query.")
    return Reply.objects.select_related("case", "case__administration", "case__topic").get(
        pk=pk, case__administration=administration
    )


def bank_search(
    administration: Administration,
    *,
    q: str = "",
    kind: str = "",
    status: str = BankAnswer.Status.ACTIVE,
    topic: Topic | None = None,
) -> QuerySet[BankAnswer]:
    """The list pages' filter: words of ``q`` in the question or the answer."""
    answers = BankAnswer.objects.filter(administration=administration).select_related("topic")
    if status:
        answers = answers.filter(status=status)
    if kind:
        answers = answers.filter(kind=kind)
    if topic is not None:
        answers = answers.filter(topic=topic)
    for word in q.split()[:8]:
        answers = answers.filter(Q(question__icontains=word) | Q(answer__icontains=word))
    return answers.order_by("-kind", "-uses", "-updated_at", "-pk")


# --- the bounded similarity read ----------------------------------------------------------------

_lock = threading.Lock()
# (administration id, kind) -> (version, index, the answers by id): at most CAP rows each.
_indexes: dict[tuple[int, str | None], tuple[Any, QuestionIndex, dict[int, BankAnswer]]] = {}


class _Epoch(Func):
    """Seconds since 1970 of a datetime column, on PostgreSQL and SQLite."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(
            compiler, connection, template="(julianday(%(expressions)s) * 86400.0)", **extra_context
        )


def bank_version(administration_id: int) -> tuple[Any, ...]:
    """The state of an administration's bank (number of active answers, newest update), read
    from an index alone: what the per-process indexes are kept under. A draft reads it once
    and passes it to ``bank_candidates`` and ``bank_semantic_candidates``."""
    active = BankAnswer.objects.filter(
        administration_id=administration_id, status=BankAnswer.Status.ACTIVE
    )
    # The sum of the update times changes with any edit whatever the order the edits commit
    # in (count and newest alone would miss an older-stamped edit committed after a newer one).
    stamp = active.aggregate(
        count=Count("id"), newest=Max("updated_at"), total=Sum(_Epoch("updated_at"))
    )
    return (stamp["count"], stamp["newest"], stamp["total"])


def _index(
    administration_id: int, kind: str | None, version: tuple[Any, ...] | None
) -> tuple[QuestionIndex, dict[int, BankAnswer]]:
    version = (version or bank_version(administration_id), kind)
    key = (administration_id, kind)
    with _lock:
        cached = _indexes.get(key)
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    rows = BankAnswer.objects.filter(
        administration_id=administration_id, status=BankAnswer.Status.ACTIVE
    )
    if kind:
        rows = rows.filter(kind=kind)
    cap = bank_settings().cap
    # The cap holds at write time; the slice is a guard, never a silent truncation in practice.
    answers = {
        answer.pk: answer for answer in rows.select_related("topic").order_by("id")[: cap * 2]
    }
    index = QuestionIndex.build(
        [(pk, answer.topic_id, answer.question) for pk, answer in answers.items()]
    )
    with _lock:
        _indexes[key] = (version, index, answers)
    return index, answers


def bank_index(administration_id: int, *, kind: str | None = None) -> QuestionIndex:
    """The question index of an administration's active answers (of ``kind``, if given),
    rebuilt only when the bank changed since it was built."""
    return _index(administration_id, kind, None)[0]


def bank_candidates(
    administration: Administration,
    question: str,
    topic: Topic | None = None,
    k: int = 3,
    *,
    kind: str | None = None,
    min_similarity: float | None = None,
    version: tuple[Any, ...] | None = None,
) -> list[tuple[BankAnswer, float]]:
    """The bank answers whose question matches ``question`` closely, best first.

    Returns at most ``k`` pairs (answer, cosine similarity in [0, 1]) at or above
    ``ANSWER_BANK_MIN_SIMILARITY`` (or ``min_similarity``). ``question`` should be the new
    case's subject and message (identifiers do not matter: they are not content words of any
    stored question). ``topic`` leaves out answers filed under another topic; ``kind``
    restricts to model or learned answers. Cost: two queries and at most
    ``ANSWER_BANK_CAP`` sparse dot products, however long the administration's history; one
    query (none with ``version``, from ``bank_version``) once the index is built.
    """
    threshold = bank_settings().min_similarity if min_similarity is None else min_similarity
    index, rows = _index(administration.pk, kind, version)
    found = index.search(
        question, topic_id=topic.pk if topic is not None else None, k=k, min_similarity=threshold
    )
    return [(rows[pk], score) for pk, score in found if pk in rows]


# --- the same, in meaning: question vectors ------------------------------------------------------

# (administration id, model name) -> (version, answer ids, matrix of their questions' vectors)
_semantic: dict[tuple[int, str], tuple[Any, np.ndarray, np.ndarray]] = {}


def bank_semantic_candidates(
    administration: Administration,
    question_vector: np.ndarray,
    *,
    k: int,
    min_similarity: float,
    version: tuple[Any, ...] | None = None,
) -> list[tuple[BankAnswer, float]]:
    """The bank answers whose question is closest *in meaning* to the new one (cosine of the
    questions' embeddings, at or above ``min_similarity``), best first, at most ``k``.

    The matrix of the administration's active questions (at most ``ANSWER_BANK_CAP`` rows) is
    kept per process and rebuilt when the bank changes; the vectors themselves are stored
    (``drafting.knowledge.embeddings.question_vectors``). Empty when embeddings are off.
    """
    backend = embeddings.get_backend()
    if backend is None or question_vector is None:
        return []
    version = _matrix_version(administration.pk, version)
    key = (administration.pk, backend.model_name)
    with _lock:
        cached = _semantic.get(key)
    if cached is None or cached[0] != version:
        cap = bank_settings().cap
        rows = list(
            BankAnswer.objects.filter(
                administration_id=administration.pk, status=BankAnswer.Status.ACTIVE
            )
            .order_by("id")
            .values_list("id", "question")[: cap * 2]
        )
        matrix = embeddings.question_vectors([question for _, question in rows]) if rows else None
        if rows and matrix is None:
            return []
        ids = np.asarray([pk for pk, _ in rows], dtype=np.int64)
        cached = (version, ids, matrix if matrix is not None else np.zeros((0, 1), np.float32))
        with _lock:
            _semantic[key] = cached
    ids, matrix = cached[1], cached[2]
    if not len(ids) or matrix.shape[1] != question_vector.shape[0]:
        return []
    scores = matrix @ question_vector
    order = np.argsort(-scores)[:k]
    found = [(int(ids[i]), float(scores[i])) for i in order if scores[i] >= min_similarity]
    if not found:
        return []
    # The answers themselves, from the words' index of the same version when it is built.
    answers = _index(administration.pk, None, version[0])[1]
    return [(answers[pk], round(score, 4)) for pk, score in found if pk in answers]


def _matrix_version(administration_id: int, version: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """What the semantic matrix of a bank is kept under (``bank_version``, read when None)."""
    return (version or bank_version(administration_id), None)


def bank_question_vector(
    administration: Administration, answer_id: int, *, version: tuple[Any, ...] | None = None
) -> np.ndarray | None:
    """The vector of a bank answer's question, from the matrix ``bank_semantic_candidates``
    keeps, if that matrix is of the bank's current ``version`` (``bank_version``, read here when
    not given): after an edit, the matrix may hold the question as it was. None when it is not
    there or not current: the caller reads ``QuestionVector``."""
    backend = embeddings.get_backend()
    if backend is None:
        return None
    with _lock:
        cached = _semantic.get((administration.pk, backend.model_name))
    if cached is None:
        return None
    if cached[0] != _matrix_version(administration.pk, version):
        return None
    ids, matrix = cached[1], cached[2]
    rows = np.flatnonzero(ids == answer_id)
    return matrix[rows[0]] if len(rows) and matrix.shape[0] > rows[0] else None
