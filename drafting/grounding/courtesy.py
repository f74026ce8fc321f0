"""French courtesy formulas: greetings, acknowledgements, thanks, closings.

They carry no claim to verify and no answer to reuse. Matched on a folded form (lower case,
no accents, straight apostrophes) so that "Nous avons bien reçu" and "nous avons bien recu"
meet.
"""

from __future__ import annotations

import re
import unicodedata

from ..knowledge.text import without_marks


def fold(text: str) -> str:
    """Lower case, accents stripped, typographic apostrophes and spaces made plain."""
    text = without_marks(unicodedata.normalize("NFKD", text)).lower()
    return re.sub(r"[ \t\u00a0\u202f]+", " ", text.replace("\u2019", "'").replace("`", "'"))


_GREETING = (
    r"(?:bonjour|bonsoir|salut|hello|madame|monsieur|mademoiselle|cher|chere|chers|cheres"
    r"|a l'attention de)\b"
)
GREETING_RE = re.compile(rf"^\s*{_GREETING}[^.!?\n]{{0,80}}[,!:]?\s*$")

# Whole sentences that only acknowledge, thank, apologise, close or offer further help.
_COURTESY_PATTERNS = [
    # acknowledgement of the message
    r"(?:nous avons|j'ai) bien (?:recu|pris (?:connaissance|note))",
    r"nous accusons (?:bonne )?reception",
    r"(?:votre|ta) (?:demande|message|courriel|mail|dossier) (?:a bien ete|est bien) "
    r"(?:recu|enregistre|pris en compte|transmis)",
    r"(?:votre|ta) demande (?:est|sera|va etre) (?:en cours de |)(?:traitee|examinee|etudiee)",
    r"(?:nous|je) (?:revenons|reviendrons|reviens|reviendrai) vers vous",
    r"un agent (?:va|vous) (?:examiner|etudier|traiter|recontacter|revenir)",
    # thanks
    r"^(?:un )?(?:grand |tres grand )?merci\b",
    r"(?:nous|je) vous remerci(?:ons|e)\b",
    r"merci (?:beaucoup|bien|infiniment|pour|de|d')",
    # apologies for delay
    r"(?:nous|je) (?:vous prions|nous excusons|m'excuse|vous prie) (?:de nous excuser|"
    r"pour le retard|du retard|de m'excuser)",
    # closings and availability
    r"(?:nous restons|je reste|restant|nous demeurons) a votre (?:entiere )?disposition",
    r"n'hesitez pas a (?:nous|me) (?:recontacter|contacter|ecrire|solliciter)",
    r"(?:nous|je) vous (?:prions|prie) d'agreer",
    r"veuillez (?:agreer|recevoir|croire)",
    r"(?:recevez|agreez|croyez)[^.]{0,40}(?:salutations|sentiments|considerations)",
    r"^(?:bien |tres )?(?:cordialement|sincerement|amicalement|respectueusement)\b",
    r"^(?:avec )?(?:nos|mes) (?:meilleures |sinceres |)(?:salutations|sentiments)",
    r"^bien a vous\b",
    r"^(?:(?:tres |)(?:bonne|belle) (?:journee|soiree|fin de journee|semaine|continuation))",
    r"^(?:en vous souhaitant|nous vous souhaitons|je vous souhaite) (?:une |)(?:bonne|belle)",
]
_COURTESY_RE = re.compile("|".join(f"(?:{p})" for p in _COURTESY_PATTERNS))
_WORD_RE = re.compile(r"[a-z0-9]+")


def is_courtesy(sentence: str) -> bool:
    """Whether ``sentence`` is only a courtesy formula (greeting, thanks, acknowledgement,
    closing, offer of further help): short, and matching one of the formulas."""
    folded = fold(sentence).strip(" \t\n-–—•*")
    if not folded:
        return True
    if GREETING_RE.match(folded):
        return True
    words = _WORD_RE.findall(folded)
    # A long sentence that starts with "merci" can still carry the answer.
    return len(words) <= 25 and bool(_COURTESY_RE.search(folded))
