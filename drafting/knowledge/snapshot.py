"""What retrieval keeps per process about the knowledge index, and how it knows it is current.

A draft reads one *stamp* of its scope (the national passages and the administration's own):
the number, newest id and id sum of the search documents, and the same for the embeddings of the
current model, in one indexed statement. Everything derived from the index (document
frequencies, the passage and fiche of each document, the fiches' texts, the vocabulary, the
answer bank's best fiches) is kept under that stamp and rebuilt when it changes: an import, an
article written, edited, retired or brought back re-indexes its passages (new documents, new
ids), so the next draft of any process sees it, with no message between processes.

The stamp identifies the index exactly: ids are never reused, so a later state with the same
count and the same sum of ids holds the same documents.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from .models import KnowledgeArticle, Passage, Posting, SearchDocument

# Scopes kept per process (one per administration drafting here).
MAX_SCOPES = 64
# Fiches kept per scope with their passages (the best fiches of recent drafts).
MAX_FICHES = 2000
# Query terms unknown to the index are matched to known terms that share this many leading
# letters ("prioritair"/"priorit", "demission"/"demiss", "inscrit"/"inscript") or that are one
# typo away ("pasport"/"passeport"); at most MAX_VARIANTS of them, weighted VARIANT_WEIGHT.
PREFIX = 5
MAX_VARIANTS = 3
VARIANT_WEIGHT = 0.8


@dataclass
class IndexSnapshot:
    """The index of one scope as of ``stamp``: what BM25 needs besides the postings."""

    administration_id: int
    stamp: tuple
    # Stamps of the vectors of ``embedding_model`` (when read): {None: national, id: own}.
    embedding_versions: dict[int | None, tuple]
    embedding_model: str | None = None
    documents: int = 0
    average_length: float = 1.0
    frequencies: dict[str, int] = field(default_factory=dict)
    # search document id -> (passage id, article id)
    owners: dict[int, tuple[int, int]] = field(default_factory=dict)
    by_prefix: dict[str, list[str]] = field(default_factory=dict)
    # article id -> (article, its passages in order), filled as drafts ask for them
    fiches: OrderedDict[int, tuple[KnowledgeArticle, list[Passage]]] = field(
        default_factory=OrderedDict
    )
    # Anything else derived from this state of the index (the vocabulary of the fiches...).
    derived: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def variants(self, term: str) -> list[str]:
        """Known terms for a term the index does not have (see ``PREFIX``); [] if none."""
        if term in self.frequencies or len(term) < PREFIX or term.isdigit():
            return []
        keep = max(PREFIX, len(term) - 3)
        candidates = self.by_prefix.get(term[:PREFIX], [])
        found = [v for v in candidates if len(v) >= keep and v[:keep] == term[:keep]]
        if not found and len(term) >= 6:
            found = [v for v in self.by_prefix.get(term[:2] + "\0", []) if _one_typo(term, v)]
        found.sort(key=lambda v: (-self.frequencies[v], v))
        return found[:MAX_VARIANTS]

    def fiches_of(
        self, article_ids: list[int]
    ) -> dict[int, tuple[KnowledgeArticle, list[Passage]]]:
        """The active fiches ``article_ids`` with their passages, read once per stamp."""
        with self.lock:
            found = {pk: self.fiches[pk] for pk in article_ids if pk in self.fiches}
        missing = [pk for pk in article_ids if pk not in found]
        if missing:
            heads = KnowledgeArticle.objects.filter(is_active=True).in_bulk(missing)
            passages: dict[int, list[Passage]] = {pk: [] for pk in heads}
            for passage in Passage.objects.filter(article_id__in=list(heads)).order_by(
                "article_id", "position"
            ):
                passages[passage.article_id].append(passage)
            with self.lock:
                for pk, head in heads.items():
                    self.fiches[pk] = found[pk] = (head, passages[pk])
                while len(self.fiches) > MAX_FICHES:
                    self.fiches.popitem(last=False)
        return found


def _one_typo(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one letter added, dropped, replaced or swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


_lock = threading.Lock()
_snapshots: OrderedDict[int, IndexSnapshot] = OrderedDict()


def _stamps(kind: str, administration_id: int, model_name: str | None) -> tuple[tuple, dict]:
    """The index stamp and the embeddings' stamps of a scope, in one statement."""
    document = SearchDocument._meta.db_table
    sql = f"""
        SELECT COUNT(*), COALESCE(MAX(d.id), 0), COALESCE(SUM(d.id), 0),
               COALESCE(SUM(d.length), 0)
        FROM {document} d
        WHERE d.kind = %s AND (d.administration_id = %s OR d.administration_id IS NULL)
    """  # noqa: S608 - only our own table name is interpolated
    params: list[Any] = [kind, administration_id]
    if model_name is not None:
        from .models import Embedding

        embedding = Embedding._meta.db_table
        sql = f"""
            SELECT s.*, e.administration_id, e.n, e.last FROM ({sql}) AS s
            LEFT JOIN (
                SELECT administration_id, COUNT(*) AS n, MAX(id) AS last FROM {embedding}
                WHERE model_name = %s AND position IS NULL
                  AND (administration_id = %s OR administration_id IS NULL)
                GROUP BY administration_id
            ) AS e ON TRUE
        """  # noqa: S608 - only our own table names are interpolated
        params += [model_name, administration_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    stamp = tuple(int(value) for value in rows[0][:4])
    versions: dict[int | None, tuple] = {}
    if model_name is not None:
        for row in rows:
            if row[6] is not None:
                versions[row[4]] = (row[5], row[6])
    return stamp, versions


def _build(kind: str, administration_id: int, stamp: tuple, versions: dict) -> IndexSnapshot:
    posting = Posting._meta.db_table
    snapshot = IndexSnapshot(administration_id, stamp, versions)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.term, COUNT(*) FROM {posting} p
            WHERE p.kind = %s AND (p.administration_id = %s OR p.administration_id IS NULL)
            GROUP BY p.term
            """,  # noqa: S608 - only our own table name is interpolated
            [kind, administration_id],
        )
        snapshot.frequencies = {term: count for term, count in cursor.fetchall()}
    documents = SearchDocument.objects.filter(kind=kind).filter(models_scope(administration_id))
    for pk, passage_id, article_id in documents.values_list(
        "pk", "passage_id", "passage__article_id"
    ):
        snapshot.owners[pk] = (passage_id, article_id)
    snapshot.documents = stamp[0]
    snapshot.average_length = (stamp[3] / stamp[0]) if stamp[0] else 1.0
    for term in snapshot.frequencies:
        if len(term) >= PREFIX:
            snapshot.by_prefix.setdefault(term[:PREFIX], []).append(term)
            # Also under its first two letters and a mark: where a typo is looked for.
            snapshot.by_prefix.setdefault(term[:2] + "\0", []).append(term)
    return snapshot


def models_scope(administration_id: int):
    from django.db.models import Q

    return Q(administration_id=administration_id) | Q(administration__isnull=True)


def index_snapshot(
    administration_id: int,
    *,
    kind: str = SearchDocument.Kind.PASSAGE,
    model_name: str | None = None,
) -> IndexSnapshot:
    """The current snapshot of the scope (one statement; rebuilt only when the index changed).

    ``model_name``: also read the stamps of that embedding model's vectors (see
    ``IndexSnapshot.embedding_versions``), in the same statement.
    """
    stamp, versions = _stamps(kind, administration_id, model_name)
    with _lock:
        cached = _snapshots.get(administration_id)
        if cached is not None:
            _snapshots.move_to_end(administration_id)
    if cached is not None and cached.stamp == stamp:
        cached.embedding_versions, cached.embedding_model = versions, model_name
        return cached
    snapshot = _build(kind, administration_id, stamp, versions)
    snapshot.embedding_model = model_name
    with _lock:
        _snapshots[administration_id] = snapshot
        while len(_snapshots) > MAX_SCOPES:
            _snapshots.popitem(last=False)
    return snapshot


def clear() -> None:
    """Forget every snapshot (tests; a process that wants its memory back)."""
    with _lock:
        _snapshots.clear()
