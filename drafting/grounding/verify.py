"""Citation verification: each sentence that cites ``[n]`` is checked against source n.

A cited sentence is *supported* when

- at least ``SUPPORT_MIN_COVERAGE`` of its content words (French-normalised as retrieval does:
  stop words out, stems compared) are found in the sources it cites, and
- every figure in it (numbers, amounts, percentages, dates, month names) is found in them, and
- each source it cites contributes (a citation of a source that says none of it is wrong).

Sentences without a marker inherit the markers that close their paragraph (a model often
cites once at the end of a paragraph: the whole paragraph claims to come from there); those
still without one are *uncited*, and counted when they make a claim (not a courtesy formula,
at least ``CLAIM_MIN_TERMS`` content words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..knowledge.text import analyse
from .courtesy import fold, is_courtesy
from .markup import cited_numbers, strip_markers

# Share of a cited sentence's content words that its sources must contain.
SUPPORT_MIN_COVERAGE = 0.6
# A sentence with fewer content words than this says too little to be checked by coverage
# alone (its figures still must match): "Oui [1]." is not a claim.
CLAIM_MIN_TERMS = 3

__all__ = [
    "CLAIM_MIN_TERMS",
    "SUPPORT_MIN_COVERAGE",
    "SentenceCheck",
    "Verification",
    "figures",
    "split_sentences",
    "verify_citations",
]


# --- figures ------------------------------------------------------------------------------------

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_NUMBER_WORDS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "cent": 100, "mille": 1000, "premier": 1, "premiere": 1, "deuxieme": 2, "troisieme": 3,
    "moitie": 50,
}  # fmt: skip
_DATE_RE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")
# "1 234,50", "1.234,50", "15,5", "2025", "1er": a thousands separator is a space or a dot
# followed by exactly three digits.
_NUMBER_RE = re.compile(
    r"(?<![\w,.])\d{1,3}(?:(?:[ \u00a0\u202f.])\d{3})+(?:,\d+)?(?!\d)|\d+(?:[,.]\d+)?"
)
_FOLDED_WORD_RE = re.compile(r"[a-z]+")


def _number_value(raw: str) -> str:
    compact = re.sub(r"[ \u00a0\u202f]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", compact):
        compact = compact.replace(".", "")
    compact = compact.replace(",", ".")
    if "." in compact:
        compact = compact.rstrip("0").rstrip(".")
    compact = compact.lstrip("0") or "0"
    return compact


@lru_cache(maxsize=4096)
def figures(text: str) -> frozenset[str]:
    """The figures of ``text``, normalised: numbers ("1 234,50" → "1234.5"), dates as their
    day, month and year, month names as ``m<n>``, and the number words ("trois" → "3")."""
    found: set[str] = set()

    def date(match: re.Match[str]) -> str:
        day, month, year = match.groups()
        found.update({_number_value(day), f"m{int(month)}", _number_value(year)})
        if len(year) == 2:
            found.add(str(2000 + int(year)))
        return " "

    text = _DATE_RE.sub(date, text)
    found.update(_number_value(m.group()) for m in _NUMBER_RE.finditer(text))
    for word in _FOLDED_WORD_RE.findall(fold(text)):
        if word in _MONTHS:
            found.add(f"m{_MONTHS[word]}")
        elif word in _NUMBER_WORDS:
            found.add(str(_NUMBER_WORDS[word]))
    return frozenset(found)


def _content_terms(text: str) -> frozenset[str]:
    words = [w for w in _FOLDED_WORD_RE.findall(fold(text)) if w in _NUMBER_WORDS or w in _MONTHS]
    terms = set(analyse(text))
    # Figures are checked as figures; their words are not content words too.
    terms -= set(analyse(" ".join(words)))
    return frozenset(t for t in terms if not t.isdigit())


@lru_cache(maxsize=256)
def _source_index(text: str) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(analyse(text)), figures(text)


# --- sentences ------------------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    [
        "m",
        "mm",
        "mme",
        "mmes",
        "mlle",
        "dr",
        "pr",
        "me",
        "art",
        "al",
        "p",
        "pp",
        "cf",
        "etc",
        "av",
        "bd",
        "st",
        "ste",
        "n",
        "no",
        "vol",
        "ex",
        "env",
        "min",
        "max",
        "janv",
        "fevr",
        "avr",
        "juil",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
_BOUNDARY_RE = re.compile(r"(?<=[.!?…])(?:\s*\[[^\]\n]{1,20}\])*\s+(?=[\"«(\-–—A-ZÀ-Ý0-9\[])")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-–—•*]|\d{1,2}[.)])\s+")


def _split_line(line: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(line):
        candidate = line[start : match.start()]
        last_word = re.search(r"(\w+)\W*$", candidate)
        if last_word and (
            fold(last_word.group(1)) in _ABBREVIATIONS
            or (len(last_word.group(1)) == 1 and last_word.group(1).isupper())
        ):
            continue
        # A run of markers after the full stop belongs to the sentence it closes.
        end = match.start() + len(match.group().rstrip())
        if line[match.start() : end].strip():
            candidate = line[start:end]
        pieces.append(candidate.strip())
        start = match.end()
    pieces.append(line[start:].strip())
    return [p for p in pieces if p]


def split_sentences(text: str) -> list[list[str]]:
    """``text`` as paragraphs of sentences. Lines are never joined: a list item or a heading
    line is a sentence of its own; a line made only of markers joins the sentence before it."""
    paragraphs: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        sentences: list[str] = []
        for line in block.splitlines():
            if not line.strip():
                continue
            for sentence in _split_line(line):
                if sentences and not strip_markers(sentence).strip(" .,;:"):
                    sentences[-1] = f"{sentences[-1]} {sentence}"
                else:
                    sentences.append(sentence)
        if sentences:
            paragraphs.append(sentences)
    return paragraphs


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceCheck:
    """One sentence of the draft and what its sources say of it.

    ``status`` is ``"supported"``, ``"unsupported"``, ``"uncited"`` (a claim without a source)
    or ``"courtesy"`` (a formula, or too short to claim anything, and uncited).
    """

    text: str
    cited: tuple[int, ...]
    status: str
    coverage: float = 0.0
    missing_terms: tuple[str, ...] = ()
    missing_figures: tuple[str, ...] = ()
    # Cited numbers that are not a provided source, or provided sources that say none of it.
    wrong_sources: tuple[int, ...] = ()
    inherited: bool = False

    @property
    def flagged(self) -> bool:
        return self.status == "unsupported"


@dataclass(frozen=True)
class Verification:
    sentences: tuple[SentenceCheck, ...] = field(default_factory=tuple)
    supported: int = 0
    unsupported: int = 0
    uncited: int = 0

    @property
    def cited(self) -> int:
        return self.supported + self.unsupported

    @property
    def flagged(self) -> list[SentenceCheck]:
        """The sentences to show the agent as not supported by their source."""
        return [s for s in self.sentences if s.flagged]

    @property
    def support_ratio(self) -> float:
        """Share of cited sentences their sources support (1.0 when nothing is cited)."""
        return self.supported / self.cited if self.cited else 1.0

    @property
    def confidence(self) -> float:
        """This check's contribution to the draft's confidence, in [0, 1].

        The share of claims that are cited and supported: supported / (cited + uncited / 2).
        Uncited claims weigh half (a model may add a sentence of context of its own); a draft
        that cites nothing contributes 0.
        """
        denominator = self.cited + self.uncited / 2
        return round(self.supported / denominator, 4) if denominator else 0.0

    @property
    def main_claims_unsupported(self) -> bool:
        """Most cited claims are unsupported (or nothing is cited): a low-confidence draft."""
        return self.cited == 0 or self.unsupported >= self.supported

    def as_dict(self) -> dict:
        """What a suggestion stores: counts, and the flagged sentences for the panel."""
        return {
            "supported": self.supported,
            "unsupported": self.unsupported,
            "uncited": self.uncited,
            "confidence": self.confidence,
            "flagged": [
                {
                    "text": strip_markers(s.text),
                    "cited": list(s.cited),
                    "missing_terms": list(s.missing_terms),
                    "missing_figures": list(s.missing_figures),
                    "wrong_sources": list(s.wrong_sources),
                }
                for s in self.flagged
            ],
        }


def _check(sentence: str, cited: tuple[int, ...], sources: Sequence[str], inherited: bool):
    plain = strip_markers(sentence)
    terms = _content_terms(plain)
    sentence_figures = figures(plain)
    valid = [n for n in cited if 1 <= n <= len(sources)]
    wrong = [n for n in cited if not 1 <= n <= len(sources)]
    indexes = {n: _source_index(sources[n - 1]) for n in valid}
    known_terms = frozenset().union(*(i[0] for i in indexes.values())) if indexes else frozenset()
    known_figures = frozenset().union(*(i[1] for i in indexes.values())) if indexes else frozenset()
    missing_terms = tuple(sorted(terms - known_terms))
    missing_figures = tuple(sorted(sentence_figures - known_figures))
    coverage = (len(terms) - len(missing_terms)) / len(terms) if terms else 1.0
    if len(valid) > 1:
        # Each cited source must say part of the sentence, or its citation is wrong.
        for n in valid:
            source_terms, source_figures = indexes[n]
            if not (terms & source_terms) and not (sentence_figures & source_figures):
                wrong.append(n)
    claims = bool(terms) or bool(sentence_figures)
    supported = (
        bool(valid)
        and not wrong
        and not missing_figures
        and coverage >= SUPPORT_MIN_COVERAGE
        and claims
    )
    # "Elle se fait :" before a list claims nothing by itself: neither supported nor flagged.
    status = (
        "courtesy"
        if not claims and valid and not wrong
        else ("supported" if supported else "unsupported")
    )
    return SentenceCheck(
        text=sentence,
        cited=cited,
        status=status,
        coverage=round(coverage, 4),
        missing_terms=missing_terms,
        missing_figures=missing_figures,
        wrong_sources=tuple(sorted(set(wrong))),
        inherited=inherited,
    )


def verify_citations(
    draft_text: str, sources: Sequence[str], *, paragraph_scope: bool = True
) -> Verification:
    """Check every cited sentence of ``draft_text`` against ``sources`` (source n is
    ``sources[n - 1]``, the text the model was given). See the module's docstring for the
    rule; ``paragraph_scope=False`` checks only sentences carrying their own marker."""
    checks: list[SentenceCheck] = []
    for paragraph in split_sentences(draft_text):
        closing = tuple(cited_numbers(paragraph[-1])) if paragraph_scope else ()
        for sentence in paragraph:
            own = tuple(cited_numbers(sentence))
            cited, inherited = (own, False) if own else (closing, bool(closing))
            if inherited and is_courtesy(strip_markers(sentence)):
                cited, inherited = (), False
            if cited:
                checks.append(_check(sentence, cited, sources, inherited))
                continue
            plain = strip_markers(sentence)
            claim = not is_courtesy(plain) and len(_content_terms(plain)) >= CLAIM_MIN_TERMS
            checks.append(
                SentenceCheck(text=sentence, cited=(), status="uncited" if claim else "courtesy")
            )
    return Verification(
        sentences=tuple(checks),
        supported=sum(c.status == "supported" for c in checks),
        unsupported=sum(c.status == "unsupported" for c in checks),
        uncited=sum(c.status == "uncited" for c in checks),
    )
