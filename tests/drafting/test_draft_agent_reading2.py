"""What the second reading of devtools/eval/heldout_agent.jsonl showed: a draft opened on the
section written for a situation the usager says is not theirs ("Si vous avez déjà une
mutuelle" for "j'ai pas de mutuelle"); an organisation's name spelled out by the lexicon
("caf": "caisse d'allocations familiales") taken as the question naming the fiche "Allocations
familiales"."""

from __future__ import annotations

from drafting.suggestions.asking import content_terms
from drafting.suggestions.compose import UNNAMED_SUBJECT_CONFIDENCE, ComposeSource, compose
from drafting.suggestions.judgement import LOW_CONFIDENCE
from drafting.suggestions.wording import contradicts, stance, with_situation


def _source(n, title, text):
    return ComposeSource(n=n, kind="fiche", title=title, url="", text=text)


CSS = "Complémentaire santé solidaire (CSS)"


def test_a_situation_the_usager_negates_is_contradicted():
    assert contradicts("j'ai pas de mutuelle", "Si vous avez déjà une mutuelle")
    assert contradicts("je n'ai aucune mutuelle", "Si vous avez une mutuelle")
    assert contradicts(
        "j'ai bien reçu ma carte mais elle est abîmée", "Si vous n'avez pas reçu votre carte"
    )
    # Stated, or said of nothing, or of someone else: no contradiction.
    assert not contradicts("j'ai une mutuelle d'entreprise", "Si vous avez déjà une mutuelle")
    assert not contradicts(
        "je n'ai toujours pas reçu ma carte", "Si vous n'avez pas reçu votre carte"
    )
    assert not contradicts("combien coûte la CSS ?", "Si vous avez déjà une mutuelle")
    assert not contradicts("mon fils n'a pas de mutuelle", "Si vous avez déjà une mutuelle")
    # One alternative the usager is in is enough.
    assert not contradicts(
        "j'ai retrouvé mon ancienne carte, je peux l'utiliser en attendant que la nouvelle "
        "arrive ?",
        "Si vous retrouvez la carte ou si la nouvelle n'arrive pas",
    )
    assert stance("j'ai pas de mutuelle", f"{CSS} › Si vous avez déjà une mutuelle") == -1
    assert stance("je suis étudiant boursier", f"{CSS} › Vous êtes étudiant boursier") == 1
    assert stance("je suis étudiant boursier", CSS) == 0


def test_a_section_for_a_situation_the_usager_negates_does_not_lead_the_draft():
    sources = [
        _source(
            1,
            f"{CSS} › Si vous avez déjà une mutuelle",
            "Vous pouvez résilier votre contrat de mutuelle pour passer à la complémentaire santé "
            "solidaire, sans frais.",
        ),
        _source(
            2,
            f"{CSS} › Conditions",
            "La complémentaire santé solidaire est accordée sous conditions de ressources, sans "
            "condition d'avoir déjà une couverture.",
        ),
    ]
    question = "j'ai pas de mutuelle, je peux avoir la complémentaire santé solidaire ?"
    result = compose(question, sources)
    assert not result.abstained
    assert result.body[0].endswith("[2]"), result.body
    # Said in the affirmative, the situation's section leads.
    result = compose(
        "j'ai déjà une mutuelle, je peux la résilier pour la complémentaire santé solidaire ?",
        sources,
    )
    assert result.body[0].endswith("[1]"), result.body


ALLOCATIONS = "Allocations familiales"


def test_an_organisations_name_spelled_out_does_not_name_the_subject_of_a_fiche():
    # Retrieval still reads "caf" as the organisation spelled out...
    assert {"alloc", "familial"} <= set(content_terms("la caf"))
    # ...but what the question is about is what it writes.
    assert not {"alloc", "familial"} & set(content_terms("la caf", names=False))
    sources = [
        _source(
            1,
            f"{ALLOCATIONS} › Montants",
            "Les allocations familiales sont versées par la CAF aux familles qui ont au moins "
            "deux enfants. Pour deux enfants, elles sont d'environ 153 € par mois.",
        ),
    ]
    # A congé parental is not what the fiche is about, though the question names the CAF.
    result = compose(
        "combien je toucherai par mois de la caf pendant mon congé parental avec mes deux "
        "enfants ?",
        sources,
    )
    assert not result.abstained
    assert result.confidence <= UNNAMED_SUBJECT_CONFIDENCE
    # Naming the benefit itself does.
    result = compose("combien d'allocations familiales pour deux enfants ?", sources)
    assert result.confidence > LOW_CONFIDENCE


def test_a_sentence_that_opens_on_its_sections_situation_is_not_said_for_it_again():
    assert with_situation("En cas de refus", "Un refus peut être contesté sous deux mois.") == (
        "Un refus peut être contesté sous deux mois."
    )
    assert with_situation("Si vous êtes étudiant", "Les étudiants boursiers y ont droit.") == (
        "Les étudiants boursiers y ont droit."
    )
    # A sentence that opens on something else is said for the situation.
    assert with_situation("En cas de refus", "Le courrier de refus indique les recours.") == (
        "En cas de refus, le courrier de refus indique les recours."
    )
    assert with_situation("En cas de refus", "Le courrier indique les voies de recours.") == (
        "En cas de refus, le courrier indique les voies de recours."
    )


def test_a_box_with_a_condition_of_its_own_says_it_with_the_sections_situation():
    text = "À savoir : si vous demandez aussi un passeport, faites une seule demande."
    assert with_situation("Si vous êtes majeur", text) == (
        "À savoir : si vous êtes majeur et que vous demandez aussi un passeport, faites une "
        "seule demande."
    )
