"""A quoted unit reads on its own (``drafting.suggestions.wording``): the drafts an agent read
opened on "Seul le nouveau titre fait foi.", listed "- Avoir au moins 65 ans" under no heading,
and told a usager living in Villeurbanne how to vote from abroad as if it were for them."""

from __future__ import annotations

import pytest

from drafting.grounding import verify_citations
from drafting.suggestions.abstaining import NOT_CLEAR, NOT_COVERED, NOT_COVERED_INFO, abstention
from drafting.suggestions.compose import (
    ComposeSource,
    Unit,
    _paragraphs,
    compose,
)
from drafting.suggestions.prompts import Source
from drafting.suggestions.wording import (
    box_labels,
    heading_lead,
    leans_back,
    situation,
    states,
    with_situation,
)


def _source(n, title, text):
    return ComposeSource(n=n, kind="fiche", title=title, url="", text=text)


ASPA = "Allocation de solidarité aux personnes âgées (Aspa)"
CONDITIONS = (
    "- Avoir au moins 65 ans.\n"
    "- Résider en France de façon stable, plus de 9 mois par an.\n"
    "- Avoir des ressources inférieures au plafond."
)


def test_a_bare_list_is_introduced_by_its_heading():
    sources = [
        _source(1, ASPA, "L'Aspa est une aide mensuelle versée aux personnes âgées."),
        _source(2, f"{ASPA} › Conditions", CONDITIONS),
    ]
    result = compose("quelles sont les conditions de l'aspa ? il faut quel age ?", sources)
    assert not result.abstained
    paragraph = next(p for p in result.body if "65 ans" in p)
    assert paragraph.startswith("Conditions :\n- Avoir au moins 65 ans.")


def test_a_list_with_its_own_lead_in_keeps_it_alone():
    sources = [
        _source(1, f"{ASPA} › Conditions", f"Il faut remplir trois conditions :\n{CONDITIONS}")
    ]
    result = compose("quelles sont les conditions de l'aspa ? il faut quel age ?", sources)
    assert result.body[0].startswith("Il faut remplir trois conditions :\n- Avoir")


def test_a_question_heading_introduces_its_list_as_it_reads():
    assert heading_lead("Liste électorale › Comment s'inscrire ?") == "Comment s'inscrire ?"
    assert heading_lead("Carte › Étape 2 : les pièces à fournir") == "Les pièces à fournir :"
    assert heading_lead("Carte") == ""
    # Said for its situation after the label, which keeps its capital.
    assert heading_lead("Carte › Vous êtes majeur › Pièces à fournir") == (
        "Pièces à fournir, si vous êtes majeur :"
    )
    assert heading_lead("Carte › Vous êtes majeur › Comment faire ?") == (
        "Comment faire si vous êtes majeur ?"
    )
    assert heading_lead("Congé › Vous êtes salarié › Vous êtes en CDD") == (
        "Si vous êtes salarié et en CDD :"
    )


def test_a_sentence_that_leans_on_the_one_before_comes_with_it():
    sources = [
        _source(
            1,
            "Permis de conduire perdu ou volé › Déclarer un vol",
            "Le vol se déclare au commissariat. Vous recevez un récépissé de déclaration de vol. "
            "Conservez-le : il permet de justifier la situation lors d'un contrôle routier.",
        )
    ]
    result = compose("je peux justifier comment lors d'un controle routier ?", sources)
    assert not result.abstained
    first = result.body[0]
    assert "Conservez-le" in first
    assert first.index("Vous recevez un récépissé") < first.index("Conservez-le")
    # The sentence it leans on is said once, not again on its own.
    assert sum(p.count("Vous recevez un récépissé") for p in result.body) == 1


def test_a_sentence_that_adds_to_the_one_before_comes_after_it():
    sources = [
        _source(
            1,
            "S'inscrire à France Travail › Quand s'inscrire ?",
            "Inscrivez-vous dès le lendemain de la fin de votre contrat, au plus tard dans les "
            "12 mois. Vous pouvez aussi préparer votre inscription pendant votre préavis.",
        )
    ]
    # The second sentence matches best: it still reads second.
    result = compose(
        "fin de contrat : je peux préparer mon inscription pendant le préavis ?", sources
    )
    first = result.body[0]
    assert first.index("Inscrivez-vous dès le lendemain") < first.index("Vous pouvez aussi")


def test_a_chain_of_sentences_leaning_on_each_other_is_said_once():
    sources = [
        _source(
            1,
            "Actualisation",
            "L'actualisation est la déclaration mensuelle du demandeur d'emploi. Elle confirme "
            "votre recherche d'emploi. C'est elle qui déclenche le paiement de l'allocation.",
        )
    ]
    result = compose(
        "l'actualisation déclenche le paiement de l'allocation ? c'est une déclaration mensuelle",
        sources,
    )
    text = "\n\n".join(result.body)
    assert text.count("L'actualisation est la déclaration mensuelle") == 1, text
    assert text.count("Elle confirme") == 1, text


def test_what_leans_back_and_what_does_not():
    for text in (
        "Mais vous devez déclarer la disparition.",
        "Conservez-le : il vous permet de justifier.",
        "Vous pouvez le télécharger en PDF.",
        "Sans cette déclaration dans les délais, la prime peut être refusée.",
        "Selon votre situation, il s'agit notamment de :",
        "Vous pouvez ensuite contacter votre caisse.",
        "C'est elle qui déclenche le paiement.",
        "À défaut, d'autres documents peuvent être acceptés.",
        "Vous pouvez aussi préparer votre inscription pendant votre préavis.",
        "À titre indicatif, à partir d'avril 2026, ce montant est d'environ 655 € par mois.",
    ):
        assert leans_back(text), text
    for text in (
        "La nouvelle carte est gratuite.",
        "Vous pouvez demander le renouvellement en ligne.",
        "Déposez votre demande 4 mois avant l'expiration.",
        "En général, cette année, la date limite est en mai.",
        "Pour le savoir, vérifiez ce que dit votre avis.",
    ):
        assert not leans_back(text), text


def test_a_unit_of_a_section_for_one_situation_says_so():
    sources = [
        _source(
            1,
            "Listes électorales › Vous vivez à l'étranger",
            "Vous pouvez vous inscrire sur la liste électorale consulaire auprès du consulat.",
        )
    ]
    result = compose("je voudrais m'inscrire sur la liste electorale", sources)
    assert result.body[0].startswith(
        "Si vous vivez à l'étranger, vous pouvez vous inscrire sur la liste électorale"
    )


def test_a_situation_the_usager_states_is_not_said_back():
    sources = [
        _source(
            1,
            "France Travail : l'actualisation › Vous avez oublié de vous actualiser",
            "Sans actualisation avant la date limite, vous êtes désinscrit de la liste.",
        )
    ]
    stated = compose("j'ai oublié de m'actualiser ce mois ci, je suis désinscrit ?", sources)
    assert stated.body[0].startswith("Sans actualisation avant la date limite")
    # Without the usager saying so, the draft says whom the passage is for.
    unstated = compose("que se passe-t-il sans actualisation avant la date limite ?", sources)
    assert unstated.body[0].startswith("Si vous avez oublié de vous actualiser, sans actualisation")


def test_a_situation_is_said_once_per_draft():
    title = "Prélèvement à la source › Vous divorcez ou vous séparez"
    sources = [
        _source(
            1,
            title,
            "Chacun obtient un nouveau taux personnel calculé sur ses propres revenus.\n"
            "Déclarez la séparation dans les 60 jours, avec :\n"
            "- la date de la séparation ;\n"
            "- l'adresse de chacun.\n"
            "Chacun fera ensuite sa propre déclaration de revenus pour l'année de la séparation.",
        )
    ]
    result = compose(
        "on divorce, quel taux de prelevement pour chacun et quelle declaration de revenus ?",
        sources,
    )
    text = "\n\n".join(result.body)
    assert text.count("Si vous divorcez ou vous séparez") == 1, text


def test_a_situation_keeps_a_proper_name_and_a_sentence_that_states_its_own():
    assert (
        with_situation("Si vous divorcez", "Chacun déclare.") == "Si vous divorcez, chacun déclare."
    )
    assert (
        with_situation("Si vous divorcez", "France Travail vous aide.")
        == "Si vous divorcez : France Travail vous aide."
    )
    assert (
        with_situation("Si vous divorcez", "CAF : signalez-le.")
        == "Si vous divorcez : CAF : signalez-le."
    )
    assert (
        with_situation("Si vous divorcez", "Si vous avez des enfants, x.")
        == "Si vous avez des enfants, x."
    )


def test_a_situation_is_stated_by_all_its_words_not_by_one_or_a_synonym():
    assert states("j'ai oublié de m'actualiser", "Si vous avez oublié de vous actualiser")
    assert not states("on m'a parlé d'une mutuelle gratuite", "Si vous avez déjà une mutuelle")
    assert not states("j'ai reçu un courrier", "Si vous ne l'avez pas reçue")


def test_a_box_label_is_followed_by_lower_case():
    assert box_labels("À savoir : Une erreur peut être corrigée.") == (
        "À savoir : une erreur peut être corrigée."
    )
    assert box_labels("À noter : France Travail le fait.") == "À noter : France Travail le fait."
    assert box_labels("À noter : Si votre permis expire.") == "À noter : si votre permis expire."
    assert box_labels("À noter : Parcoursup ferme.") == "À noter : Parcoursup ferme."


def test_the_headings_a_draft_quotes_are_checked_against_the_source_title():
    title = f"{ASPA} › Conditions"
    composed = compose(
        "quelles sont les conditions de l'aspa ? il faut quel age ?",
        [_source(1, title, CONDITIONS)],
    )
    source = Source(
        number=1, kind="passage", title=title, url="", text=CONDITIONS, score=1.0, ref={}
    )
    verification = verify_citations("\n\n".join(composed.body), [source.checked_text])
    assert verification.unsupported == 0 and verification.supported > 0


# --- what the draft says when the documentation does not answer ------------------------------


def test_a_precise_request_for_information_is_not_asked_for_a_file_number():
    """A parent asking how to register their son at the canteen was asked for "les dates utiles
    et votre numéro de dossier, en joignant les documents concernés"."""
    for question in (
        "comment inscrire mon fils à la cantine et combien le repas",
        "combien coute un permis de construire pour une piscine ?",
        "je veux passer le permis moto, il faut combien d'heures de conduite ?",
        "je voudrais faire ma demande de logement social, comment on fait ?",
    ):
        text = abstention("not_covered", question)
        assert text == NOT_COVERED_INFO, question
        assert "la démarche concernée" not in text and "numéro de dossier" not in text
        assert "service compétent" in text


@pytest.mark.parametrize(
    "question",
    [
        "mon ex ne paie plus la pension alimentaire pour nos enfants depuis 5 mois",
        "j'ai reçu un courrier de la caf qui me réclame un trop perçu de 1200 euros",
        "Je n’arrive plus à me connecter à mon compte depuis que j’ai changé de téléphone",
        "mon dossier de congé parental est toujours pas traité, que faire",
    ],
)
def test_the_usager_s_own_situation_is_asked_what_examining_it_takes(question):
    text = abstention("not_covered", question)
    assert text == NOT_COVERED, question
    assert "la démarche concernée" not in text
    assert "numéro de dossier" in text and "service compétent" in text


def test_a_vague_message_is_asked_for_the_missing_detail():
    text = abstention("not_covered", "j'ai un problème avec mon dossier")
    assert text == NOT_CLEAR
    assert "la démarche concernée" in text and "service compétent" in text


def test_the_offline_drafter_writes_the_abstention_for_the_question_it_was_asked():
    from drafting.suggestions.backends import OfflineDraftModel

    prompt = (
        "<objet>\ncantine\n</objet>\n<message_usager>\ncomment inscrire mon fils à la cantine "
        "de l'école et combien coûte le repas\n</message_usager>\n"
        "<salutation>\nMadame, Monsieur,\n</salutation>"
    )
    text, composition = OfflineDraftModel().compose(prompt)
    assert composition.abstained and NOT_COVERED_INFO in text


# --- a situation is said as the fiche means it --------------------------------------------


def test_a_negated_situation_is_never_taken_as_stated():
    # The usager received the card: "if you have not received it" is not their case.
    assert not states(
        "J'ai bien reçu ma carte vitale mais le nom est mal écrit",
        "Si vous n'avez pas reçu votre carte",
    )
    # "not a student": the usager's own negation near the words of the situation.
    assert not states(
        "Je ne suis pas étudiant, mon fils est étudiant boursier",
        "Si vous êtes étudiant boursier",
    )
    assert states("je suis étudiant boursier, quel montant ?", "Si vous êtes étudiant boursier")


def test_a_negated_situation_is_said_back_through_the_draft():
    sources = [
        _source(
            1,
            "Carte Vitale › Si vous n'avez pas reçu votre carte",
            "Contactez votre caisse d'assurance maladie pour vérifier l'adresse du nom enregistré.",
        )
    ]
    question = "J'ai bien reçu ma carte vitale mais le nom est mal écrit, comment vérifier ?"
    result = compose(question, sources)
    assert not result.abstained
    assert result.body[0].startswith("Si vous n'avez pas reçu votre carte"), result.body


def test_nested_situations_are_all_said():
    assert situation("Congé › Vous êtes salarié › Vous êtes en CDD") == (
        "Si vous êtes salarié et en CDD"
    )
    assert situation("Aide › Vous êtes salarié › Vous avez un enfant") == (
        "Si vous êtes salarié et que vous avez un enfant"
    )
    assert situation("Aide › Vous êtes salarié › Montant › En cas de refus") == (
        "Si vous êtes salarié et en cas de refus"
    )
    assert situation("Aide › Montant") == ""
    sources = [
        _source(
            1,
            "Congé maternité › Vous êtes salarié › Vous êtes en CDD",
            "Le congé maternité est indemnisé même si le contrat prend fin pendant le congé.",
        )
    ]
    question = "mon contrat prend fin pendant le congé maternité, suis-je indemnisée ?"
    result = compose(question, sources)
    assert result.body[0].startswith("Si vous êtes salarié et en CDD, le congé maternité"), (
        result.body
    )


def test_a_situation_is_said_again_after_another_one():
    employee = "Arrêt maladie › Vous êtes salarié"
    freelance = "Arrêt maladie › Vous êtes indépendant"
    sentence = "sentence"
    units = [
        Unit(_source(1, employee, ""), 0, "Vous percevez des indemnités de la CPAM.", sentence),
        Unit(_source(2, freelance, ""), 0, "Vous percevez des indemnités après 3 jours.", sentence),
        Unit(_source(3, employee, ""), 0, "Votre employeur peut les compléter.", sentence),
    ]
    paragraphs = _paragraphs(units, "qui verse les indemnités ?")
    assert paragraphs == [
        "Si vous êtes salarié, vous percevez des indemnités de la CPAM. [1]",
        "Si vous êtes indépendant, vous percevez des indemnités après 3 jours. [2]",
        "Si vous êtes salarié, votre employeur peut les compléter. [3]",
    ]
    # Said once while the draft stays in the same situation.
    same = [
        Unit(_source(1, employee, ""), 0, "Vous percevez des indemnités.", "sentence"),
        Unit(_source(3, employee, ""), 0, "Votre employeur peut les compléter.", "sentence"),
    ]
    assert _paragraphs(same, "qui verse les indemnités ?") == [
        "Si vous êtes salarié, vous percevez des indemnités. [1]",
        "Votre employeur peut les compléter. [3]",
    ]


def test_only_a_heading_that_states_a_situation_becomes_a_condition():
    for heading, clause in (
        ("Vous êtes étudiant", "Si vous êtes étudiant"),
        ("Vous n'avez pas reçu votre carte", "Si vous n'avez pas reçu votre carte"),
        ("Vous vivez à l'étranger", "Si vous vivez à l'étranger"),
        ("Vous vous mariez", "Si vous vous mariez"),
        ("Vous divorcez ou vous séparez", "Si vous divorcez ou vous séparez"),
        ("Vous percevez le RSA", "Si vous percevez le RSA"),
        ("Si vous déménagez", "Si vous déménagez"),
        ("En cas de refus", "En cas de refus"),
    ):
        assert situation(f"Fiche › {heading}") == clause, heading
    for heading in (
        "Vous pouvez faire une demande en ligne",
        "Vous devez fournir ces pièces",
        "Vous pourrez contester",
        "Votre dossier",
        "Vos droits",
    ):
        assert situation(f"Fiche › {heading}") == "", heading


def test_a_proper_name_after_a_situation_keeps_its_capital():
    for text in (
        "Pôle emploi vous inscrit.",
        "Parcoursup ouvre en janvier.",
        "Ameli permet de suivre vos remboursements.",
        "Marseille propose un guichet.",
        "Caf.fr : faites la demande.",
    ):
        assert with_situation("Si vous êtes étudiant", text) == f"Si vous êtes étudiant : {text}"
    for text, lowered in (
        ("Vous pouvez demander.", "vous pouvez demander."),
        ("Votre caisse répond.", "votre caisse répond."),
        ("L'aide est versée.", "l'aide est versée."),
        ("Les aides sont versées.", "les aides sont versées."),
        ("Chaque parent déclare.", "chaque parent déclare."),
        ("Dans votre dossier, écrivez.", "dans votre dossier, écrivez."),
        ("Il faut écrire.", "il faut écrire."),
        ("Payez toutefois la taxe.", "payez toutefois la taxe."),
    ):
        assert with_situation("Si vous êtes étudiant", text) == f"Si vous êtes étudiant, {lowered}"
