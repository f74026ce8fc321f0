"""A question about another thing of the same kind than the fiche found ("carte de séjour" against
the fiche on a lost identity card) is not answered from that fiche."""

from __future__ import annotations

import pytest

from drafting.knowledge.compounds import compounds, fiche_compounds, names_title, unknown_compounds
from drafting.suggestions.compose import ComposeSource, compose
from drafting.suggestions.judgement import LOW_CONFIDENCE
from tests.drafting.test_abstention_and_reuse import PERMIS

CNI = "Carte d'identité perdue ou volée : démarches"
CNI_TEXT = (
    "Si votre carte d'identité a été perdue ou volée, déclarez-le. Pour un vol, déposez plainte "
    "au commissariat. Pensez aussi à vos autres démarches : carte Vitale, permis de conduire, "
    "carte bancaire."
)


def _unknown(question: str, title: str = CNI, text: str = CNI_TEXT) -> list[tuple[str, str]]:
    return unknown_compounds(question, title, fiche_compounds(title, [text]))


@pytest.mark.parametrize(
    "question",
    [
        "j'ai perdu ma carte d'électeur dans le train",
        "J'AI PERDU MA CARTE GRISE",
        "comment refaire une carte européenne d'assurance maladie perdue ?",
    ],
)
def test_another_thing_of_the_same_kind_is_unknown_to_the_fiche(question):
    assert _unknown(question)


@pytest.mark.parametrize(
    "question",
    [
        "j'ai perdu ma carte d'identité",
        "ma carte didentité a été volée hier",  # the elision typed without its apostrophe
        "on m'a volé ma carte, je fais comment ?",  # no qualifier
        "ma carte volée lundi au marché",  # a participle, a day
        "ma carte vitale et ma carte d'identité sont dans le sac volé",  # the title's own thing
        "ma carte bancaire a disparu avec le reste",  # the fiche names it
        "le permis de conduire de mon fils",  # "permis" is not a head of this title
    ],
)
def test_the_fiche_own_thing_or_no_thing_at_all_is_not_unknown(question):
    assert _unknown(question) == []


def test_accents_and_an_acronym_of_the_title_are_read_as_the_words():
    # "foncière" typed without its accent is the same qualifier.
    title = "Taxe foncière : qui la paie, quand et comment"
    assert _unknown("la taxe fonciere de ma maison", title, "La taxe foncière est due…") == []
    assert _unknown("la taxe d'aménagement de mon abri", title, "La taxe foncière est due…")
    # The fiche says "CMI priorité": the title's "carte" qualified by "priorité".
    title = "Carte mobilité inclusion (CMI)"
    text = "La CMI priorité donne une priorité d'accès aux places assises."
    assert _unknown("comment avoir la carte prioritaire ?", title, text) == []
    assert _unknown("comment avoir la carte grise ?", title, text)


def test_a_question_reads_strictly_and_a_fiche_generously():
    assert compounds("l'aide au logement") == []
    assert ("aid", "log") in compounds("l'aide au logement", fiche=True)
    assert compounds("mon acte de mariage") == [("acte", "mariag")]


BATEAU = ComposeSource(
    n=2,
    kind="fiche",
    title="Permis plaisance › S'inscrire",
    url="",
    text="Le permis bateau s'obtient après une formation dans un établissement agréé.",
    pertinence=0.5,
)


def test_a_neighbouring_procedure_is_abstained_on_or_warned_when_another_fiche_names_it():
    question = "j'ai perdu mon permis bateau, comment en avoir un nouveau ?"
    # No fiche found names the "permis bateau": the base does not cover it.
    alone = compose(question, [PERMIS])
    assert alone.abstained and alone.reason == "not_covered"
    # Another fiche found names it: the draft is written, shown as a low-confidence one.
    both = compose(question, [PERMIS, BATEAU])
    assert not both.abstained and both.confidence < LOW_CONFIDENCE
    # The fiche's own thing is drafted.
    own = compose("j'ai perdu mon permis de conduire, comment en avoir un nouveau ?", [PERMIS])
    assert not own.abstained and own.cited == [1]


def test_an_enumeration_qualifies_the_same_head_and_the_usagers_names_are_the_fiches():
    text = "Elle remplace les anciennes cartes d'invalidité, de priorité et de stationnement."
    pairs = fiche_compounds("Carte mobilité inclusion (CMI)", [text])
    for thing in ("carte d'invalidité", "carte de priorité", "carte de stationnement"):
        assert set(compounds(thing)) <= pairs
    # "carte de sécurité sociale" is what the usagers call the carte Vitale, which the fiche names.
    assert _unknown("on m'a volé ma carte de sécurité sociale avec mes papiers") == []


VITALE = ComposeSource(
    n=1,
    kind="fiche",
    title="Carte Vitale : que faire en cas de perte ou de vol ? › Démarches",
    url="",
    text=(
        "Déclarez la perte de votre carte Vitale sur votre compte ameli. En attendant la "
        "nouvelle carte, demandez une attestation de droits."
    ),
)


def test_a_question_naming_the_fiche_own_thing_is_drafted_with_a_warning_not_abstained_on():
    question = (
        "slt jai egaré ma carte vitale ds le bus hier soir, jsuis censé aller chez le dentiste "
        "jeudi, jfais comment pr pas avoir a tout avancer chez ce toubib"
    )
    result = compose(question, [VITALE], {(1, 0): 0.80, (1, 1): 0.79}, min_similarity=0.85)
    assert not result.abstained and result.confidence < LOW_CONFIDENCE
    # Without the thing named, the same words far in meaning are abstained on.
    other = question.replace("ma carte vitale", "mon truc")
    assert compose(other, [VITALE], {(1, 0): 0.80, (1, 1): 0.79}, min_similarity=0.85).abstained


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("j'ai perdu ma carte vitale, que faire en cas d'urgence ?", VITALE.fiche),
        ("dans ce cas précis, comment refaire ma carte vitale ?", VITALE.fiche),
        ("j'ai perdu ma carte nationale d'identité", CNI),
        ("la carte de Louise a été volée", CNI),
        ("la carte de [NOM_1] a été volée", CNI),
        ("ma carte egaree, je fais quoi", CNI),
        ("ma carte perimee depuis un mois", CNI),
    ],
)
def test_ordinary_title_words_names_and_participles_are_not_other_things(question, title):
    assert _unknown(question, title, "") == []


def test_a_hyphen_or_a_typed_apostrophe_joins_a_compound():
    assert _unknown("ma carte-grise est perdue")
    assert _unknown("ma carte d`électeur est perdue")


def test_a_variant_the_fiche_speaks_of_is_warned_not_abstained_on():
    fiche = ComposeSource(
        n=1,
        kind="fiche",
        title="Permis de conduire perdu ou volé › Jeune conducteur",
        url="",
        text=(
            "Pendant la période probatoire, déclarez la perte de votre permis de conduire en "
            "ligne : vous recevez un nouveau permis par courrier."
        ),
    )
    result = compose("j'ai perdu mon permis probatoire, comment en avoir un nouveau ?", [fiche])
    assert not result.abstained and result.confidence < LOW_CONFIDENCE


@pytest.mark.parametrize(
    ("question", "title"),
    [
        # The lexicon spells the acronym out.
        (
            "bjr ma cni arrive a la fin de sa validité, je fais quoi",
            "Carte d'identité : renouveler",
        ),
        ("c quoi les conditions pour la css", "Complémentaire santé solidaire (CSS)"),
        # The title gives it in parentheses.
        ("je touche l'AAH, et l'APL ?", "Allocation aux adultes handicapés (AAH)"),
        (
            "ma demande d'aspa sera récupérée ?",
            "Allocation de solidarité aux personnes âgées (ASPA)",
        ),
    ],
)
def test_a_question_naming_the_fiche_thing_by_its_acronym_names_it(question, title):
    """A covered question in a few words ("ma cni arrive à la fin de sa validité") was abstained
    on: it never spelled out what the fiche is about, so the veto on abstention did not hold."""
    assert names_title(question, title)
    assert _unknown(question, title, "") == []


@pytest.mark.parametrize(
    ("question", "title"),
    [
        # "permis" alone is the lexicon's guess (a driving licence), not an acronym.
        ("comment passer le permis bateau ?", PERMIS.fiche),
        ("il me faut un permis de construire pour ma véranda ?", PERMIS.fiche),
        # An acronym of another fiche's title, or an organisation, names nothing of this one.
        ("je cherche l'aah pour mon fils", "Allocation de rentrée scolaire (ARS)"),
        ("la caf me verse combien ?", "Allocations familiales"),
        ("la caf me verse combien ?", "Prestations versées par la Caisse (CAF)"),
        # An acronym that is also a common word names the fiche in capitals only.
        ("je ne sais pas quoi faire", "Prélèvement à la source (PAS)"),
        ("JE NE SAIS PAS QUOI FAIRE", "Prélèvement à la source (PAS)"),
        ("mon pc ne marche plus", "Permis de construire (PC)"),
    ],
)
def test_a_guess_of_the_lexicon_or_another_acronym_does_not_name_the_fiche(question, title):
    assert not names_title(question, title)


def test_an_acronym_that_is_also_a_word_names_the_fiche_in_capitals():
    assert names_title("mon PAS est trop élevé", "Prélèvement à la source (PAS)")
    assert names_title("il me faut un PC pour ma véranda ?", "Permis de construire (PC)")


def test_an_acronym_naming_another_thing_of_the_same_kind_is_unknown_to_the_fiche():
    assert _unknown(
        "j'ai perdu ma cni, comment la refaire ?", "Carte grise : acheter un véhicule", ""
    )
