"""What the offline drafter writes when the documentation does not answer: the paragraph an
agent would write instead of an answer (``compose.abstention``)."""

from __future__ import annotations

NO_REQUEST = (
    "Nous vous remercions pour votre message. N'hésitez pas à revenir vers nous si vous avez "
    "une question ou une démarche en cours : nous y répondrons avec plaisir."
)
# A precise question the documentation does not answer: the usager said what they need, so
# the reply does not ask them which procedure it is; it says the case will be looked into,
# asks for what an agent needs to do so, and offers to point to the competent service.
NOT_COVERED = (
    "Nous avons bien reçu votre message. Votre question demande un examen de votre situation : "
    "les informations générales dont nous disposons ne suffisent pas pour vous répondre de "
    "façon sûre. Afin de l'examiner, pourriez-vous nous indiquer les dates utiles et, le cas "
    "échéant, votre numéro de dossier, en joignant les documents concernés ? Si votre demande "
    "relève d'un autre organisme, nous vous indiquerons le service compétent."
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


def abstention_text(reason: str, *, clear: bool) -> str:
    """A thank-you for a message that asks nothing (``reason`` "no_request"); for a question the
    documentation does not answer, an acknowledgement that asks only what examining it takes
    when the question is ``clear``, else a request for what it is about."""
    if reason == "no_request":
        return NO_REQUEST
    return NOT_COVERED if clear else NOT_CLEAR
