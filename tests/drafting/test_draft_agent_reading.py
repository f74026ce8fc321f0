"""What reading 45 new usager questions as the agent who sends the drafts showed
(devtools/eval/heldout_agent.jsonl)."""

from __future__ import annotations

from drafting.suggestions.asking import question_intents
from drafting.suggestions.compose import ComposeSource, compose


def _source(n, title, text):
    return ComposeSource(n=n, kind="fiche", title=title, url="", text=text)


def test_a_list_asked_for_in_everyday_words_is_recognised():
    for question in (
        "je m'inscris comment et c'est quoi les documents à avoir sous la main",
        "il faut quoi comme papiers pour la carte grise ?",
        "qu'est-ce qu'il doit me donner comme papiers le vendeur ?",
        "il faut quoi pour faire la demande ?",
    ):
        assert "list" in question_intents(question), question
    for question in (
        "combien de temps pour recevoir la carte ?",
        "mes papiers ont été volés hier",
    ):
        assert "list" not in question_intents(question), question


INSCRIPTION = "S'inscrire à France Travail comme demandeur d'emploi"


def test_the_list_of_documents_asked_for_in_everyday_words_is_in_the_draft():
    sources = [
        _source(
            1,
            f"{INSCRIPTION} › Comment s'inscrire ?",
            "L'inscription se fait en ligne sur francetravail.fr ou par téléphone au 3949. "
            "Préparez :\n"
            "- votre numéro de sécurité sociale ;\n"
            "- un RIB ;\n"
            "- votre CV.",
        ),
        _source(
            2,
            f"{INSCRIPTION} › Après l'inscription",
            "Un premier entretien est fixé dans les 15 jours. Vous signez un contrat "
            "d'engagement avec votre conseiller.",
        ),
    ]
    result = compose(
        "je viens de finir mon contrat, c'est quoi les documents à avoir sous la main pour "
        "l'inscription à france travail",
        sources,
    )
    assert not result.abstained
    assert "- un RIB ;" in result.body[0]
