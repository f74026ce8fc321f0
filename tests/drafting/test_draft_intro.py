"""The offline draft's opening sentence claims no more than the draft's confidence allows."""

from __future__ import annotations

from drafting.suggestions.backends import (
    INTRO,
    INTRO_CLOSEST,
    INTRO_REUSED,
    OfflineDraftModel,
)
from drafting.suggestions.judgement import LOW_CONFIDENCE

TEXT = (
    "Pour renouveler votre passeport, prenez rendez-vous en mairie. "
    "Le passeport coûte 86 € pour un adulte."
)


def _prompt(pertinence: str, kind: str = "fiche", similarity: str = "0.00") -> str:
    return (
        "<objet>\npasseport\n</objet>\n<message_usager>\ncombien coûte le renouvellement du "
        "passeport pour un adulte et faut-il un rendez-vous en mairie ?\n</message_usager>\n"
        "<salutation>\nMadame, Monsieur,\n</salutation>\n"
        f'<source n="1" type="{kind}" pertinence="{pertinence}" similarite="{similarity}" '
        f'titre="Passeport" url="">\n{TEXT}\n</source>'
    )


def test_a_confident_draft_says_it_answers():
    text, composition = OfflineDraftModel().compose(_prompt("1.00"))
    assert not composition.abstained and composition.confidence >= LOW_CONFIDENCE
    assert INTRO in text and INTRO_CLOSEST not in text
    assert "86 €" in text


def test_a_low_confidence_draft_says_it_gives_the_closest_information():
    # The fiche ranks far below the best one: the same words, a low confidence.
    text, composition = OfflineDraftModel().compose(_prompt("0.30"))
    assert not composition.abstained and composition.confidence < LOW_CONFIDENCE
    assert INTRO_CLOSEST in text and INTRO not in text
    # The substance is still there for the agent to judge.
    assert "86 €" in text


def test_a_reused_answer_keeps_its_own_opening():
    text, composition = OfflineDraftModel().compose(_prompt("0.30", "answer", "0.95"))
    assert composition.reused == 1
    assert INTRO_REUSED in text and INTRO_CLOSEST not in text


def test_a_draft_whose_confidence_the_verification_lowers_stops_claiming_to_answer():
    from drafting.suggestions.backends import intro_for_confidence

    text, _composition = OfflineDraftModel().compose(_prompt("1.00"))
    assert INTRO in text
    lowered = intro_for_confidence(text, LOW_CONFIDENCE / 2)
    assert INTRO not in lowered and INTRO_CLOSEST in lowered
    assert lowered.replace(INTRO_CLOSEST, INTRO) == text
    assert intro_for_confidence(text, LOW_CONFIDENCE) == text


def test_a_reused_answer_whose_confidence_the_verification_lowers_stops_claiming_too():
    from drafting.suggestions.backends import intro_for_confidence

    text, _composition = OfflineDraftModel().compose(_prompt("0.30", "answer", "0.95"))
    assert INTRO_REUSED in text
    lowered = intro_for_confidence(text, LOW_CONFIDENCE / 2)
    assert INTRO_REUSED not in lowered and INTRO_CLOSEST in lowered
