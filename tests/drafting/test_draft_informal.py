"""Questions as usagers write them: text-message words ("slt", "ds", "jsuis"), the day it
happened, the age of a child ("ma fille de 10 ans"), and one situation among the sections a
fiche writes for each ("je viens de me marier" against "Vous divorcez ou vous séparez")."""

from __future__ import annotations

import pytest

from cases.models import Case
from drafting.knowledge import ArticleData
from drafting.knowledge.services import article_upsert
from drafting.knowledge.text import analyse, query_terms
from drafting.suggestions import pipeline
from drafting.suggestions.asking import content_terms, subject_terms
from drafting.suggestions.compose import SECTION_UNITS, ComposeSource, compose
from drafting.suggestions.wording import (
    CONTRADICTED_SITUATION,
    OTHER_SITUATION,
    STATED_SITUATION,
    situation_weights,
)


def _source(n, title, text):
    return ComposeSource(n=n, kind="fiche", title=title, url="", text=text)


def test_text_message_words_and_the_day_it_happened_are_not_what_a_question_is_about():
    question = (
        "slt jai egaré ma carte vitale ds le bus hier soir, jsuis censé aller chez le dentiste "
        "jeudi. jfais comment pr pas avoir a tout avancer ??"
    )
    terms = content_terms(question)
    assert not {"slt", "d", "pr", "jsuis", "jfais", "hi", "soir", "jeud"} & set(terms)
    # "égaré" is a loss, in the fiches' words.
    assert {"perdu", "pert", "cart", "vital", "dentist"} <= set(terms)
    # The fiches' words for a pregnancy and a birth.
    assert "grossess" in content_terms("je suis enceinte de 3 mois")
    assert "naissanc" in content_terms("j'ai accouché le 2 novembre")
    # "jcomprends": the verb is kept; a word that opens on "j" and a vowel is a word.
    assert "comprend" in content_terms("jcomprends pas mon courrier")
    assert {"jardin", "justif"} <= set(content_terms("un justificatif pour le jardin"))
    # Queries only: the fiches' own text keeps its words ("du lundi au vendredi").
    assert "vendred" in analyse("ouvert du lundi au vendredi")
    assert "vendred" not in query_terms("je suis passé vendredi")


def test_a_word_the_lexicon_reads_in_the_fiches_words_is_not_a_word_the_base_lacks():
    # "CDI" is read as "contrat à durée indéterminée": the base says "contrat", so neither
    # "cdi" nor "indéterminée" is evidence of a subject the base does not cover.
    known = {"contrat": 8, "dur": 14, "chomag": 11, "demiss": 1, "percevoir": 2}
    question = "j'ai démissionné de mon CDI, est-ce que je vais toucher le chomage ?"
    terms = subject_terms(question, {"demission": "demiss"}, known)
    assert not {"cdi", "indetermin"} & set(terms)
    assert {"contrat", "chomag", "demiss"} <= set(terms)
    # Without what the base knows, every reading counts.
    assert {"cdi", "indetermin"} <= set(subject_terms(question, {"demission": "demiss"}))
    # A word none of whose readings the base uses is one it lacks.
    assert "cdi" in subject_terms("mon CDI", None, {"chomag": 3})


AAH = "Allocation aux adultes handicapés (AAH)"


def test_a_couple_in_the_usagers_words_is_the_couple_of_the_fiches():
    # "se pacser", "ma compagne", "son salaire": the fiches say "PACS", "conjoint",
    # "partenaire", "revenus".
    terms = set(content_terms("je vais me pacser avec ma compagne, son salaire compte ?"))
    assert {"pac", "conjoint", "partenair", "revenus"} <= terms
    sources = [
        _source(
            1,
            AAH,
            "L'allocation aux adultes handicapés (AAH) assure un minimum de ressources aux "
            "personnes en situation de handicap.",
        ),
        _source(
            2,
            f"{AAH} › Conditions",
            "- Avoir au moins 20 ans.\n"
            "- Avoir un taux d'incapacité d'au moins 80 %.\n"
            "- Avoir des ressources inférieures à un plafond. Depuis octobre 2023, seuls vos "
            "propres revenus sont pris en compte : les revenus du conjoint ou du partenaire ne "
            "comptent plus.",
        ),
        _source(
            3,
            f"{AAH} › En cas de refus",
            "Vous pouvez former un recours auprès de la MDPH. Des associations peuvent vous "
            "accompagner.",
        ),
    ]
    result = compose(
        "Je vais me pacser avec ma compagne qui est infirmière. Est-ce que je risque de perdre "
        "mon AAH à cause de son salaire ?",
        sources,
    )
    assert not result.abstained
    assert "ne comptent plus" in result.body[0]


def test_a_childs_age_says_the_child_is_a_minor():
    for question in (
        "il faut quoi comme papiers pour la carte d'identité de ma fille de 10 ans ?",
        "mon fils a 15 ans, il a perdu sa carte",
        "mon fils vient d'avoir 16 ans",
        "j'ai 17 ans, je peux travailler l'été ?",
    ):
        assert "mineur" in content_terms(question), question
    for question in (
        "j'ai 67 ans",
        "ma carte est valable 10 ans ?",
        "mon fils de 19 ans",
        # A length of time, not an age.
        "j'ai 10 ans de cotisations pour ma retraite",
        "il faut avoir 5 ans de résidence pour la naturalisation",
    ):
        assert "mineur" not in content_terms(question), question


PAS = "Prélèvement à la source : taux et changement de situation"
MARRIAGE = f"{PAS} › Vous vous mariez ou vous concluez un PACS"
DIVORCE = f"{PAS} › Vous divorcez ou vous séparez"
INCOME = f"{PAS} › Vos revenus baissent ou augmentent"


def test_the_situation_a_question_names_outweighs_the_sections_beside_it():
    titles = {PAS, MARRIAGE, DIVORCE, INCOME}
    weights = situation_weights("je viens de me marier, je dois changer mon taux ?", titles)
    assert weights[MARRIAGE] == STATED_SITUATION
    assert weights[DIVORCE] == OTHER_SITUATION
    # The fiche's introduction is for everyone, and "Vos revenus baissent" is no situation of
    # the usager's ("Vous ...") beside the others.
    assert weights[PAS] == weights[INCOME] == 1.0
    # A situation named in the negative is not the usager's.
    weights = situation_weights("je ne suis pas mariée, je dois changer mon taux ?", titles)
    assert weights[MARRIAGE] == weights[DIVORCE] == 1.0
    # Both situations named: neither is beside the other.
    weights = situation_weights("je me suis mariée puis j'ai divorcé, quel taux ?", titles)
    assert weights[MARRIAGE] == weights[DIVORCE] == 1.0
    # "mari" is also the husband, "mars" a month: neither names a marriage.
    weights = situation_weights("mon mari est parti en mars, je dois changer le taux ?", titles)
    assert set(weights.values()) == {1.0}
    weights = situation_weights("je me suis séparée en mars, mon taux change ?", titles)
    assert weights[DIVORCE] == STATED_SITUATION and weights[MARRIAGE] == OTHER_SITUATION
    # No situation named: every section counts the same.
    weights = situation_weights("comment est calculé mon taux ?", titles)
    assert set(weights.values()) == {1.0}


UPDATE = "France Travail : l'actualisation mensuelle"


def test_the_section_written_for_the_usagers_situation_comes_after_the_lead():
    """ "J'ai oublié de m'actualiser, il se passe quoi ?": what happens is the first sentence of
    the section "Vous avez oublié de vous actualiser", what to do the last, in other words."""
    sources = [
        _source(
            1,
            UPDATE,
            "L'actualisation est la déclaration mensuelle que tout demandeur d'emploi doit faire. "
            "C'est elle qui déclenche le paiement de l'allocation du mois écoulé.",
        ),
        _source(
            2,
            f"{UPDATE} › Quand s'actualiser ?",
            "L'actualisation est ouverte à partir du 28 du mois et jusqu'au 15 du mois suivant. "
            "Vous recevez un rappel par courriel.",
        ),
        _source(
            3,
            f"{UPDATE} › Vous avez oublié de vous actualiser",
            "Sans actualisation avant la date limite, vous êtes désinscrit de la liste des "
            "demandeurs d'emploi et l'allocation du mois n'est pas versée. En cas de motif "
            "légitime (hospitalisation, panne du site), contactez rapidement votre conseiller. "
            "Sinon, réinscrivez-vous le plus vite possible sur francetravail.fr.",
        ),
    ]
    question = (
        "j'ai oublié de m'actualiser ce mois-ci, est-ce que je vais être désinscrit de la liste "
        "des demandeurs d'emploi et perdre l'allocation du mois ?"
    )
    result = compose(question, sources)
    assert not result.abstained
    text = " ".join(result.body)
    assert "désinscrit" in text and "réinscrivez-vous" in text and "motif légitime" in text
    # The section's sentences come in the fiche's order, the section before the others.
    assert text.index("désinscrit") < text.index("motif légitime") < text.index("réinscrivez")
    # A long section does not crowd out the answer to the question's other words.
    long_section = " ".join(f"Précision numéro {n} sur la procédure." for n in range(1, 10))
    sources[2] = _source(
        3,
        f"{UPDATE} › Vous avez oublié de vous actualiser",
        "Sans actualisation avant la date limite, vous êtes désinscrit de la liste des "
        f"demandeurs d'emploi. {long_section}",
    )
    result = compose(f"{question} Et à partir de quand je peux m'actualiser ?", sources)
    text = " ".join(result.body)
    assert "désinscrit" in text and "28 du mois" in text
    assert text.count("Précision numéro") == SECTION_UNITS


def test_a_situation_said_in_the_negative_or_contradicted_is_never_the_one_named():
    received = "Titre de séjour › Vous n'avez pas reçu votre titre"
    damaged = "Titre de séjour › En cas de dégradation"
    titles = {received, damaged}
    # "reçu" is a word of the negative section, said in the opposite sense: the section for a
    # damaged card is not set aside for it.
    weights = situation_weights("J'ai bien reçu mon titre hier mais il est abîmé", titles)
    assert weights[damaged] == 1.0
    assert weights[received] == CONTRADICTED_SITUATION


def test_a_draft_for_a_marriage_leads_with_the_marriage_not_the_divorce():
    sources = [
        _source(
            1,
            DIVORCE,
            "Chacun obtient un nouveau taux personnel calculé sur ses propres revenus. Déclarez "
            "la séparation dans les 60 jours.",
        ),
        _source(
            2,
            MARRIAGE,
            "Déclarez l'événement dans les 60 jours dans « Gérer mon prélèvement à la source ». "
            "Un nouveau taux, commun ou individualisé selon votre choix, est calculé.",
        ),
    ]
    result = compose("je viens de me marier, est ce que je dois changer mon taux ?", sources)
    assert not result.abstained
    assert result.body[0].endswith("[2]"), result.body
    result = compose("je divorce, est ce que je dois changer mon taux ?", sources)
    assert result.body[0].endswith("[1]"), result.body


def test_who_the_question_is_about_is_not_what_it_is_about():
    terms = subject_terms("ma mère a une toute petite retraite, elle peut avoir une aide ?")
    assert "mer" not in terms
    assert {"retrait", "ressourc", "faibl"} <= set(terms)
    # The base's form of a word the question writes otherwise.
    variants = {"demission": "demiss", "demissionn": "demiss"}
    assert "demiss" in subject_terms("j'ai démissionné", variants)
    # "je viens de": a recent past, not a subject.
    assert "vien" not in subject_terms("je viens de démissionner de mon CDI")
    # Nor who ("ma fille", "mon ex"), nor when, nor how many: the fiches say "enfant".
    terms = subject_terms("je suis séparée depuis janvier, mon ex garde les deux enfants")
    assert not {"ex", "depuis", "janvi", "deux"} & set(terms)
    assert {"separ", "gard", "enfant"} <= set(terms)
    assert subject_terms("ma fille de 19 ans fait des études, une bourse ?")[-2:] == [
        "etud",
        "bours",
    ]


@pytest.fixture
def unemployment_article(db):
    return article_upsert(
        data=ArticleData(
            external_id="TEST-ARE",
            title="Allocation chômage : droits",
            body="",
            source_format="markdown",
            source_url="",
            topic_slug="emploi",
            passages=[
                (
                    "Allocation chômage : droits › Conditions",
                    "Il faut avoir perdu son emploi involontairement : licenciement, fin de CDD. "
                    "Une démission ouvre droit seulement dans certains cas dits légitimes.",
                ),
                (
                    "Allocation chômage : droits › Montant",
                    "Le montant dépend des salaires des douze derniers mois.",
                ),
            ],
        ),
        administration=None,
    )


def test_a_word_written_in_another_form_than_the_fiches_is_read_as_theirs(
    tenant_a, unemployment_article
):
    # "démissionner" stems apart from the fiche's "démission": read as the base's word, it
    # chooses the sentence that answers, and counts as a word the base speaks of.
    case = Case(
        administration=tenant_a.administration,
        subject="",
        body="Je viens de démissionner de mon CDI, est-ce que j'ai droit au chômage ?",
        channel="web_form",
    )
    reading = pipeline.read_case(case)
    assert reading.gathered.context is not None
    assert reading.gathered.context.variants.get("demission") == "demiss"
    assert not reading.evidence.abstained
    assert "démission ouvre droit" in " ".join(reading.evidence.body)
