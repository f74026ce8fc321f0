"""Question-to-question similarity for the answer bank (pure, no database).

TF-IDF cosine (binary term frequencies: a question is short, a repeated word is noise) over
French content words (``drafting.knowledge.text.analyse``: stop words out, Snowball
stems, the usagers' abbreviations expanded), with three refinements that make it a judgement
on the *need* rather than on shared words:

- document frequencies come from the bank itself plus the new question, so the words that
  tell questions apart ("vitale" vs "identité") weigh most and the words every question of
  the bank shares ("carte", "renouveler") weigh little;
- generic request words ("demande", "savoir", "obtenir"...) weigh a fifth;
- a few synonyms usagers and agents use for one need are merged ("perdu"/"perte"/"égaré",
  "renouveler"/"nouvelle"/"remplacer").

The bank holds at most ``ANSWER_BANK_CAP`` answers per administration, so one query costs a
few hundred sparse dot products: bounded, whatever the years of history.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..knowledge.text import analyse

_SYNONYMS_RAW = {
    "perte": "perdu perte perd egar paum vol",
    "renouvel": "renouvel renouvel nouvel nouveau remplac refair duplicat",
    "demenag": "demenag chang adress",
    "retrait": "retir retrait recuper",
    "rembours": "rembours rembourse",
    "paiement": "pai paiement vers vire",
    "montant": "montant combien somm",
    "delai": "delai temp attend longtemp",
    "baisse": "baiss dimin reduit reduct",
    "arret": "suppr supprim arret coup stopp",
}
# Words of any request: they say that something is asked, not what.
_GENERIC_RAW = (
    "demand demand savoir souhait voudr veux voulo obten obtien besoin aid aide inform "
    "question renseign possibl proced demarch fair dossi merc bonjour cordial madam monsieur "
    "pouv pourr peut dev doit comment quoi quel ca cela declar inscrir anne annee jour mois "
    "semain"
)
GENERIC_WEIGHT = 0.2


def _stems(words: str) -> set[str]:
    stems: set[str] = set()
    for word in words.split():
        stems.update(analyse(word) or [word])
        stems.add(word)
    return stems


_SYNONYM_OF: dict[str, str] = {}
for _key, _words in _SYNONYMS_RAW.items():
    for _stem in _stems(_words):
        _SYNONYM_OF.setdefault(_stem, _key)
_GENERIC = frozenset(_stems(_GENERIC_RAW))


def canonical(term: str) -> str:
    """The need a term stands for: "egar" and "perdu" are both "perte" (``_SYNONYMS_RAW``)."""
    return _SYNONYM_OF.get(term, term)


def subjects_of(titles: Iterable[str], *, most: int = 3) -> frozenset[str]:
    """The words that name what fiches are about: the terms of the titles' heads (before " : ":
    "*Carte Vitale* : que faire en cas de perte") found in at most ``most`` heads ("carte",
    in many, names nothing by itself), without the needs and request words."""
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(set(analyse(title.split(" : ")[0])))
    return frozenset(
        term
        for term, count in counts.items()
        if count <= most and term not in _SYNONYM_OF and term not in _GENERIC
    )


def named_objects(text: str, subjects: Iterable[str]) -> frozenset[str]:
    """What a question is about, among the base's ``subjects`` (``subjects_of``)."""
    subjects = frozenset(subjects)
    return frozenset(term for term in analyse(text, expand=True) if term in subjects)


def same_object(question: str, other: str, subjects: Iterable[str]) -> bool:
    """Whether ``question`` may be answered by the answer to ``other`` as far as the thing
    asked about goes. Not when one thing stands for another ("mon *passeport* perdu" / "ma
    *carte d'identité* perdue", "acte de *mariage*" / "acte de *naissance*"): each question
    names a subject of the base the other does not, or both name subjects and none in common.
    A question that names none ("ma carte de sécu") leaves the judgement to the similarity and
    to the best fiche."""
    named, others = named_objects(question, subjects), named_objects(other, subjects)
    if named and others and not named & others:
        return False
    if named - others and others - named:
        return False
    # The other question names a subject this one does not, and this one says something the
    # other does not: "acte de *mariage*" is not "acte de *naissance*".
    return not (others - named and _own_words(question) - _own_words(other))


def _own_words(text: str) -> set[str]:
    return {
        canonical(term)
        for term in analyse(text, expand=True)
        if len(term) > 3 and not term.isdigit() and term not in _GENERIC
    }


def question_terms(text: str) -> Counter[str]:
    """The terms of a question, synonyms merged, with their frequencies."""
    return Counter(_SYNONYM_OF.get(term, term) for term in analyse(text, expand=True))


@dataclass
class QuestionIndex:
    """The bank's questions of one administration, ready to be compared with a new one."""

    ids: list[int] = field(default_factory=list)
    topics: list[int | None] = field(default_factory=list)
    vectors: list[dict[str, float]] = field(default_factory=list)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)
    # Squared norm of each question's vector weighted with the idf of a term *not* in the new
    # question; a search corrects it for the terms it shares (``search``). Computed once.
    _base_norms: list[float] | None = None

    @classmethod
    def build(cls, rows: Iterable[tuple[int, int | None, str]]) -> QuestionIndex:
        """``rows`` are (answer id, topic id, question text)."""
        index = cls()
        for answer_id, topic_id, text in rows:
            tf = dict.fromkeys(question_terms(text), 1.0)
            position = len(index.ids)
            index.ids.append(answer_id)
            index.topics.append(topic_id)
            index.vectors.append(tf)
            for term, weight in tf.items():
                index.postings.setdefault(term, []).append((position, weight))
            index.df.update(tf.keys())
        return index

    def __len__(self) -> int:
        return len(self.ids)

    def _idf(self, term: str, in_query: bool) -> float:
        # The new question counts as a document: a word only it has is as telling as can be.
        n = len(self.ids) + 1
        df = self.df.get(term, 0) + (1 if in_query else 0)
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return idf * (GENERIC_WEIGHT if term in _GENERIC else 1.0)

    def search(
        self, question: str, *, topic_id: int | None = None, k: int = 3, min_similarity: float = 0
    ) -> list[tuple[int, float]]:
        """(answer id, cosine) of the ``k`` closest questions at or above ``min_similarity``.

        With ``topic_id``, answers filed under another topic are left out (those without a
        topic stay in).
        """
        query_tf = dict.fromkeys(question_terms(question), 1.0)
        if not query_tf or not self.ids:
            return []
        query_idf = {t: self._idf(t, True) for t in query_tf}
        query = {t: w * query_idf[t] for t, w in query_tf.items()}
        query_norm = math.sqrt(sum(w * w for w in query.values()))
        if self._base_norms is None:
            self._base_norms = [
                sum((tf * self._idf(term, False)) ** 2 for term, tf in vector.items())
                for vector in self.vectors
            ]
        dots: dict[int, float] = {}
        # Per matched question: its squared norm, corrected for the terms the query shares.
        corrections: dict[int, float] = {}
        for term, q_weight in query.items():
            idf = query_idf[term]
            shift = idf * idf - self._idf(term, False) ** 2
            for position, tf in self.postings.get(term, ()):
                dots[position] = dots.get(position, 0.0) + q_weight * tf * idf
                corrections[position] = corrections.get(position, 0.0) + tf * tf * shift
        results: list[tuple[int, float]] = []
        for position, dot in dots.items():
            if topic_id is not None and self.topics[position] not in (None, topic_id):
                continue
            norm = math.sqrt(max(self._base_norms[position] + corrections[position], 0.0))
            if not norm or not query_norm:
                continue
            similarity = dot / (norm * query_norm)
            if similarity >= min_similarity:
                results.append((self.ids[position], round(similarity, 4)))
        results.sort(key=lambda item: (-item[1], item[0]))
        return results[:k]


def similarity(first: str, second: str, *, background: Sequence[str] = ()) -> float:
    """Cosine of two questions, document frequencies taken over ``background`` and ``second``."""
    rows = [(0, None, second)] + [(i + 1, None, text) for i, text in enumerate(background)]
    found = dict(QuestionIndex.build(rows).search(first, k=len(rows)))
    return found.get(0, 0.0)
