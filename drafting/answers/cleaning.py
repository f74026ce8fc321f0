"""What a sent reply becomes in the answer bank, and whether it deserves to (pure functions).

A reply is kept for reuse only when it answers something (``substance``): not a thank-you,
an acknowledgement or a test. What is stored is its substance alone (``reusable_body``): no
greeting, closing formula or signature, no citation markers, no "Pour en savoir plus" block,
and no identifier of the usager (e-mails, phones, NIR, IBAN, names, addresses, case
references), each replaced by a neutral word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cases.text import MASKS, REFERENCE_MASK, UNKNOWN_MASK, is_greeting_line

from ..grounding import is_courtesy, split_sentences, strip_markers
from ..grounding.courtesy import GREETING_RE, fold
from ..knowledge.text import analyse
from ..suggestions.pseudonymise import pseudonymise

# A reply shorter than this, once stripped, answers nothing worth reusing.
MIN_SUBSTANCE_CHARS = 160
MIN_SUBSTANCE_TERMS = 12

_PLACEHOLDER_RE = re.compile(r"\[([A-Z_]+?)_\d+\]")
# Guichet's case references ("CAF69-2026-000123") and a reference the usager is asked to quote.
_REFERENCE_RE = re.compile(r"\b[A-Z][A-Z0-9]{1,11}-\d{4}-\d{3,}\b")

_CLOSING_START_RE = re.compile(
    r"^(?:(?:bien |tres )?(?:cordialement|sincerement|respectueusement|amicalement)"
    r"|(?:nous|je) vous (?:prions|prie) d'agreer|veuillez (?:agreer|recevoir|croire)"
    r"|(?:avec )?(?:nos|mes) (?:meilleures |sinceres |)salutations|bien a vous"
    r"|(?:recevez|agreez)[^.]{0,40}(?:salutations|sentiments))"
)
_MORE_RE = re.compile(r"^\s*(?:pour en savoir plus|pour plus d'informations?|en savoir plus)\b")
_URL_ONLY_RE = re.compile(r"^\s*(?:[-•*]\s*)?(?:[^:\n]{0,200}:\s*)?https?://\S+\s*$")

# Test replies: "Test", "Test double-clic sur envoyer.", "ceci est un test", "essai d'envoi".
_TEST_RE = re.compile(
    r"^\s*(?:test|essai|tst|tests)(?:\s*(?:\d+|[.!:;-]|\.\.\.)?\s*$"
    r"|\s+(?:d'envoi|de reponse|technique|double|du bouton|bouton|interne|agent|guichet|"
    r"reponse|envoi|mail|courriel|\d)\b)"
    r"|\b(?:ceci est|c'est|ceci n'est qu') (?:un|une) (?:test|essai)\b"
    r"|\b(?:message|reponse|courriel|mail|envoi|brouillon) (?:de |d')?(?:test|essai)\b"
    r"|\blorem ipsum\b|\bne pas (?:tenir compte|repondre|envoyer)\b|\ba ignorer\b"
    r"|^\s*(?:azerty|qwerty|asdf|qsdf|aaa+|xxx+|blabla|toto|tata|foo|bar)\b"
)


@dataclass(frozen=True)
class Substance:
    """Whether a reply answers something; ``reason`` says why not (a stable machine word)."""

    substantive: bool
    reason: str = ""
    chars: int = 0
    terms: int = 0


def _masks(text: str) -> str:
    return _PLACEHOLDER_RE.sub(lambda m: MASKS.get(m.group(1), UNKNOWN_MASK), text)


def anonymise(
    text: str, *, known_names: Iterable[str] = (), keep: frozenset[str] = frozenset()
) -> str:
    """Irreversibly replace a usager's identifiers in ``text`` with neutral words; those of the
    kinds in ``keep`` (placeholder kinds: "TEL", "EMAIL"...) are left as written."""
    text = _REFERENCE_RE.sub(REFERENCE_MASK, text)
    result = pseudonymise(text, known_names=[n for n in known_names if n])
    masked = result.text
    if keep:
        masked = _PLACEHOLDER_RE.sub(
            lambda m: (
                result.mapping.get(m.group(0), m.group(0)) if m.group(1) in keep else m.group(0)
            ),
            masked,
        )
    return _masks(masked)


# What a person writes in a model answer on purpose: a service's telephone number, e-mail or
# address ("l'ADIL du Rhône au 04 78 52 84 84"). A person's name, a social security number, an
# IBAN or a date of birth are a usager's: masked even there.
PUBLIC_DETAILS = frozenset({"TEL", "EMAIL", "ADRESSE"})


def authored_body(text: str, *, closing: str = "", signature: str = "") -> str:
    """A model answer as a person wrote it, ready for the bank: its greeting, closing formula
    and signature off (each new case gets its own), citation markers off, a usager's
    identifiers masked, public contact details and links kept."""
    lines = _normal_lines(strip_markers(text))
    # Only a line that greets and says nothing else: "Madame, Monsieur, votre demande doit
    # être faite en ligne" is the answer's first sentence.
    while lines and (not lines[0] or is_greeting_line(lines[0])):
        lines.pop(0)
    body = "\n".join(_cut_ending(lines, closing, signature)).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    return anonymise(body, keep=PUBLIC_DETAILS).strip()


def _normal_lines(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]


def _cut_ending(lines: list[str], closing: str, signature: str) -> list[str]:
    """Drop the closing formula and everything after it (the signature), and the configured
    signature wherever it is."""
    closing_folded = fold(" ".join(closing.split())).strip(" .")
    signature_lines = {fold(line) for line in _normal_lines(signature) if line}
    for index, line in enumerate(lines):
        folded = fold(line)
        if (closing_folded and folded.strip(" .").startswith(closing_folded[:40])) or (
            _CLOSING_START_RE.match(folded)
        ):
            return lines[:index]
    if signature_lines:
        lines = [line for line in lines if fold(line) not in signature_lines]
    return lines


def reusable_body(
    text: str, *, closing: str = "", signature: str = "", known_names: Iterable[str] = ()
) -> str:
    """The substance of a sent reply: what may be stored in the bank and reused.

    ``closing`` and ``signature`` are the administration's (they end its replies);
    ``known_names`` the usager's names the case holds (masked wherever they appear).
    """
    lines = _normal_lines(strip_markers(text))
    while lines and (not lines[0] or GREETING_RE.match(fold(lines[0]))):
        lines.pop(0)
    lines = _cut_ending(lines, closing, signature)
    kept: list[str] = []
    skipping_more = False
    for line in lines:
        if _MORE_RE.match(fold(line)):
            # The "Pour en savoir plus" block: its line and the links listed under it.
            skipping_more = True
            continue
        if skipping_more and (not line or _URL_ONLY_RE.match(line)):
            if not line:
                skipping_more = False
            continue
        skipping_more = False
        kept.append(line)
    # Courtesy sentences at the start (acknowledgement, thanks) or the end (offers of help).
    paragraphs = "\n".join(kept).strip().split("\n\n")
    while paragraphs and _only_courtesy(paragraphs[0]):
        paragraphs.pop(0)
    while paragraphs and _only_courtesy(paragraphs[-1]):
        paragraphs.pop()
    body = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    body = re.sub(r"\n{3,}", "\n\n", body)
    return anonymise(body, known_names=known_names).strip()


def _only_courtesy(paragraph: str) -> bool:
    sentences = [s for group in split_sentences(paragraph) for s in group]
    return all(is_courtesy(s) for s in sentences)


def is_test(text: str) -> bool:
    """Whether ``text`` reads as a test message (any line or sentence of it)."""
    for group in split_sentences(text):
        for sentence in group:
            if _TEST_RE.search(fold(sentence)):
                return True
    return False


def substance(body: str) -> Substance:
    """Whether ``body`` (a reply already through ``reusable_body``) answers something.

    Refused: a test message; a body made of courtesy only (thanks, acknowledgement, "we will
    come back to you"); a body under ``MIN_SUBSTANCE_CHARS`` characters or
    ``MIN_SUBSTANCE_TERMS`` distinct content words once courtesy sentences are set aside.
    """
    if is_test(body):
        return Substance(False, "test")
    sentences = [s for group in split_sentences(body) for s in group]
    claims = [s for s in sentences if not is_courtesy(s)]
    if not claims:
        return Substance(False, "courtesy")
    text = " ".join(claims)
    terms = len(set(analyse(text)))
    chars = len(text)
    if chars < MIN_SUBSTANCE_CHARS or terms < MIN_SUBSTANCE_TERMS:
        return Substance(False, "too_short", chars=chars, terms=terms)
    return Substance(True, chars=chars, terms=terms)


def adapt(body: str, *, greeting: str, closing: str, signature: str) -> str:
    """A bank answer dressed for a new case: its greeting, then the body, closing, signature."""
    return "\n\n".join(part.strip() for part in (greeting, body, closing, signature) if part)
