"""Whether a usager's message only thanks or acknowledges ("Merci", "Bien reçu", "OK merci,
bonne journée", "Thanks a lot!") and asks for nothing: on an answered or closed case, such a
message is recorded on the case without putting it back to work (cases/intake/mail.py).

The rule is a closed vocabulary, in French and English: every word of the new text (quoted
history and signature already set aside by cases/intake/parsing.py) must be a word of thanks,
acknowledgement, greeting or closing formula, or of the grammar around them ("je vous remercie
pour votre réponse rapide"). Whatever else it says ("mais", "pas", "document manquant", a
number, a question mark) makes it a message to work, as any message was before. The usager's
name may follow ("Merci, Jeanne Roux"), and so may a short signature block of names, phone
numbers and addresses of e-mail. A message with files is never courtesy (the caller's rule).
"""

from __future__ import annotations

import re
import unicodedata

# Lower case, without accents; a word is a run of letters ("aujourd'hui" is two).
_VOCABULARY = frozenset(
    " ".join(
        (
            "merci mercii merciii remercie remercions remerciant remerciements remercier",
            "mille fois beaucoup infiniment bien tres vraiment grand grandement encore vivement",
            "pour de du des d la le les l votre vos ton ta tes cette ces ce cet c est ca cela",
            "me m moi nous je j ai vous en et aussi tout toute toutes tous un une",
            "ok okay oki okey accord daccord entendu compris note notee notes bon bonne",
            "parfait parfaite parfaitement super top genial nickel impeccable excellent excellente",
            "bravo cool formidable extra agreable efficace efficacite rapide rapidement",
            "clair claire",
            "marche reponse reponses retour retours aide precieuse precieux soutien suivi travail",
            "attention amabilite gentillesse disponibilite patience reactivite diligence",
            "informations information infos info renseignements renseignement precisions",
            "explications explication document documents message",
            "recu recue recus recues bonjour bonsoir hello salut coucou",
            "madame monsieur mesdames messieurs mme mlle cher chere chers cheres equipe service",
            "journee soiree fin semaine week end weekend apres midi matinee annee fetes joyeuses",
            "joyeux noel au aux bientot revoir continuation belle beau",
            "cordialement cordialment cdlt cdt bav salutations sinceres meilleures distinguees",
            "respectueuses sentiments mes mon meilleurs amities prie veuillez agreer expression",
            "bcp bjr probleme resolu resolue regle reglee",
            "thank thanks thx ty you so much very many lot a for the your help reply answer",
            "response quick prompt information kind kindly regards best wishes cheers sincerely",
            "yours again all got it noted received perfect great good fine wonderful excellent",
            "appreciated appreciate i we have nice day evening week weekend dear hi hey with",
            "that s thats sounds well truly awesome lovely",
        )
    ).split()
)
# Words after which a name may come: "Merci Jeanne", "Bonjour Madame Roux", "Thanks Sam".
_NAMING = frozenset(
    " ".join(
        (
            "merci bonjour bonsoir madame monsieur mme mlle cher chere salut",
            "hello hi dear thanks",
        )
    ).split()
)
_WORD = re.compile(r"[^\W\d_]+")
_CLAUSE = re.compile(r"[,.;:!()\[\]…]+")
# Without backtracking across "@": a run of "a@a@a@…" costs linear time.
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.\w+")
# Wishes ("je vous souhaite une bonne journée"): "souhaite" is courtesy only before one of
# these; "je souhaite des précisions" asks for something.
_WISHING = frozenset(("souhaite", "souhaitons", "souhaitant"))
_WISHED = frozenset(("bonne", "bon", "belle", "beau", "joyeux", "joyeuses", "excellente"))
# Longer than this, a message is never only thanks (and no pattern runs over it).
_MAX_CHARS = 2_000
# A clause opened by "et" asks for more ("Merci, et le document") unless it thanks or wishes
# again ("Merci, et bonne journée").
_AND = frozenset(("et", "and"))
_THANKS_AGAIN = frozenset(
    {"merci", "remercie", "bonne", "bon", "belle", "beau", "joyeux", "joyeuses"}
    | {"thanks", "thank", "have", "nice"}
)
# What may be wished: "je vous souhaite une bonne journée", not "je souhaite une bonne réponse".
_WISHES = frozenset(
    [
        "journee",
        "soiree",
        "fin",
        "semaine",
        "week",
        "end",
        "weekend",
        "apres",
        "midi",
        "matinee",
        "annee",
        "fetes",
        "noel",
        "continuation",
    ]
)
# A thing named after thanks is asked for ("Merci, le document"), unless the thanks or the
# receipt are for it ("Merci pour le document", "Bien reçu le document").
_THINGS = frozenset(["document", "documents", "dossier", "lien", "courrier"])
_FOR_THINGS = frozenset(
    ["pour", "for", "de", "d", "du", "des", "recu", "recus", "recue", "recues", "received", "got"]
)
_TITLES = frozenset(("mme", "mlle", "m", "mr", "mrs", "ms", "dr"))
# Lower-case words of names ("Jeanne de la Tour", "Sam van Dyke").
_PARTICLES = frozenset(("de", "du", "des", "la", "le", "d", "van", "von", "der", "di", "da"))
# Longer than this, a message says more than thanks, whatever its words.
_MAX_WORDS = 40
_MAX_SIGNATURE_LINES = 4


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _phone(text: str) -> bool:
    """A phone number as written in a signature: "06 12 34 56 78", "+33 6 12 34 56 78"."""
    digits = re.sub(r"\D", "", text)
    return (
        bool(re.fullmatch(r"[+(]?\d[\d .()/-]*", text))
        and 10 <= len(digits) <= 15
        and text.lstrip("(")[:1] in ("0", "+")
    )


def _signature_line(line: str, names: set[str]) -> bool:
    """A line of a signature: names (capitalised words, the usager's own), a phone number, an
    address of e-mail; no word of a sentence."""
    stripped = line.strip(" \t-–—,.")
    if not stripped or _phone(stripped):
        return True
    stripped = _EMAIL.sub(" ", stripped)
    if re.search(r"\d", stripped):
        return False
    words = _WORD.findall(stripped)
    if not words:
        return True  # an address of e-mail alone
    # Only the usager's own names: a capitalised "Relance" or "J'AI RIEN RECU" is a sentence.
    allowed = names | _TITLES | _PARTICLES
    return (
        len(words) <= 5
        and all(_plain(word) in allowed for word in words)
        and any(_plain(word) in names for word in words)
    )


def _courtesy_clause(words: list[str], names: set[str]) -> bool:
    """Every word is courtesy; after a word that names someone ("Merci", "Bonjour Madame"),
    the usager's names may come, or capitalised words that end the clause ("Merci Sam")."""
    if _plain(words[0]) in _AND and not any(_plain(w) in _THANKS_AGAIN for w in words[1:]):
        return False
    for index, word in enumerate(words):
        plain = _plain(word)
        if plain in _WISHING:
            if any(_plain(w) in _WISHED for w in words[index + 1 : index + 4]) and any(
                _plain(w) in _WISHES for w in words[index + 2 : index + 7]
            ):
                continue
            return False
        if plain in _THINGS and not any(
            _plain(w) in _FOR_THINGS for w in words[max(0, index - 4) : index]
        ):
            return False
        if plain in _VOCABULARY:
            continue
        previous = _plain(words[index - 1]) if index else ""
        after_naming = previous in _NAMING or previous in names or previous in _TITLES
        if after_naming and plain in names:
            continue
        # One name the case does not know may end the clause ("Merci Sam", "Merci Monsieur
        # Dupont"); more unknown words are a sentence ("Merci Monsieur Dossier Incomplet").
        return after_naming and index == len(words) - 1 and word[:1].isupper()
    return True


def _courtesy_line(line: str, names: set[str]) -> bool | None:
    """True when ``line`` is only courtesy, None when it has no word (an emoji), else False
    (a number is information: an allocataire number, an amount, a date)."""
    if re.search(r"\d", line):
        return False
    clauses = [_WORD.findall(clause) for clause in _CLAUSE.split(line)]
    clauses = [words for words in clauses if words]
    if not clauses:
        return None
    return all(_courtesy_clause(words, names) for words in clauses)


def is_courtesy(text: str, *, names: tuple[str, ...] = ()) -> bool:
    """Whether ``text`` (the usager's new text) only thanks or acknowledges. ``names``: the
    usager's names as known (on the case, in the mail's From), allowed after a greeting or
    in a signature."""
    if len(text) > _MAX_CHARS or "?" in text or "@" in _EMAIL.sub(" ", text):
        return False
    known = {_plain(word) for name in names for word in _WORD.findall(name or "")}
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    # The signature: the last few lines that are names, phone numbers and addresses.
    for _line in range(_MAX_SIGNATURE_LINES):
        if len(lines) < 2 or _courtesy_line(lines[-1], known):
            break
        if not _signature_line(lines[-1], known):
            break
        lines.pop()
    said = False
    for line in lines:
        verdict = _courtesy_line(line, known)
        if verdict is False:
            return False
        said = said or bool(verdict)
    return said and sum(len(_WORD.findall(line)) for line in lines) <= _MAX_WORDS
