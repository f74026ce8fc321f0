"""What the offline drafter writes when the documentation does not answer: the paragraph an
agent would write instead of an answer (``abstention``)."""

from __future__ import annotations

import re

from drafting.knowledge.text import strip_accents

from .asking import content_terms

NO_REQUEST = (
    "Nous vous remercions pour votre message. N'hésitez pas à revenir vers nous si vous avez "
    "une question ou une démarche en cours : nous y répondrons avec plaisir."
)
# A usager's own situation the documentation does not answer ("la CAF me réclame un trop-perçu",
# "mon ex ne paie plus la pension depuis 5 mois"): the reply does not ask them which procedure it
# is; it says the case will be looked into, asks for what an agent needs to do so, and offers to
# point to the competent service.
NOT_COVERED = (
    "Nous avons bien reçu votre message. Votre question demande un examen de votre situation : "
    "les informations générales dont nous disposons ne suffisent pas pour vous répondre de "
    "façon sûre. Afin de l'examiner, pourriez-vous nous indiquer les dates utiles et, le cas "
    "échéant, votre numéro de dossier, en joignant les documents concernés ? Si votre demande "
    "relève d'un autre organisme, nous vous indiquerons le service compétent."
)
# A request for general information the documentation does not give ("combien coûte un permis
# de construire ?", "comment inscrire mon fils à la cantine ?"): no file number or documents to
# ask for; the point is checked, or the competent service named.
NOT_COVERED_INFO = (
    "Nous avons bien reçu votre question. Les informations dont nous disposons ne suffisent pas "
    "pour vous répondre de façon sûre : nous vérifions ce point et revenons vers vous. Si votre "
    "demande relève d'un autre organisme, nous vous indiquerons le service compétent."
)
# A message too vague to tell what it is about ("j'ai un problème avec mon dossier").
NOT_CLEAR = (
    "Nous avons bien reçu votre message. Afin de pouvoir vous répondre, pourriez-vous nous "
    "préciser votre demande : la démarche concernée, votre situation, les dates utiles et, le "
    "cas échéant, votre numéro de dossier ? Si votre demande relève d'un autre organisme, nous "
    "vous indiquerons le service compétent."
)
# Fewer content terms than this and a message does not say what it is about.
CLEAR_TERMS = 3
# What tells a situation of the usager's own, to be examined, from a request for information
# (read without accents, in lower case, apostrophes optional: "j ai recu"): their file, a
# decision or a letter they received, a payment that stopped or is claimed back, a delay, a
# dispute, since when. What they mean to do ("faire ma demande", "calculer ma pension", "payer
# une amende") is a request for information.
_SITUATION = re.compile(
    r"\b(?:mon|notre) dossier\b"
    r"|\b(?:courrier|notification|refus|refuse|refusee|reclam\w*|trop[- ]?percu|indu|retard|"
    r"bloque|bloquee|suspendu|suspendue|radie|radiee|erreur|contest\w*|recours|dette|"
    r"penalite)\b"
    r"|\btoujours (?:pas|rien)\b|\b(?:pas|rien|jamais)(?: encore)? recu\w*"
    r"|\bj(?:'|\s)?attends\b|\bn(?:'|\s)?arrive plus\b"
    r"|\bm(?:'|\s)?a rien (?:verse|paye|envoye|rembourse)\b|\bdemande de rembourser\b"
    r"|\bne (?:me |nous |lui )?(?:paie|paye|verse|touche|recoi[st]|percoi[st]) plus\b"
    r"|\bdepuis (?:\d|que\b|qu\b|le \d|(?:des|plusieurs|un|une|deux|trois|quatre|cinq|six)\b)"
    r"|\bil y a (?:\d+|un|une|deux|trois|quelques|plusieurs) (?:jour|semaine|mois|an)s?\b"
    r"|\b(?:j(?:'|\s)?ai|on m(?:'|\s)?a|ils m(?:'|\s)?ont|elle m(?:'|\s)?a|il m(?:'|\s)?a) "
    r"(?:recu|refuse)\b"
)


def describes_situation(question: str) -> bool:
    """Whether ``question`` tells a situation of the usager's own to examine (a file, a
    decision, a payment, a delay), rather than asking for general information."""
    return bool(_SITUATION.search(strip_accents(question.lower()).replace("’", "'")))


def abstention_text(reason: str, *, clear: bool, situation: bool = True) -> str:
    """A thank-you for a message that asks nothing (``reason`` "no_request"); for a question the
    documentation does not answer: when it is not ``clear``, a request for what it is about;
    else an acknowledgement that asks what examining the usager's ``situation`` takes, or,
    for a request for information, says the point is being checked."""
    if reason == "no_request":
        return NO_REQUEST
    if not clear:
        return NOT_CLEAR
    return NOT_COVERED if situation else NOT_COVERED_INFO


def abstention(reason: str, question: str = "") -> str:
    """The paragraph an agent would write instead of an answer (``Composition.reason``), for
    ``question``: the usager's situation, a request for information, or too vague to tell what
    it is about."""
    clear = len(content_terms(question)) >= CLEAR_TERMS
    return abstention_text(reason, clear=clear, situation=describes_situation(question))
