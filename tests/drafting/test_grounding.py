"""Citation verification, marker stripping and the references block (drafting/grounding)."""

from __future__ import annotations

import pytest

from cases.text import strip_citation_markers
from drafting.grounding import (
    has_internal_markup,
    references_block,
    strip_markers,
    verify_citations,
)
from drafting.grounding.verify import figures

VITALE = (
    "Si vous avez perdu votre carte Vitale, déclarez la perte sur votre compte ameli puis "
    "commandez une nouvelle carte. Vos droits restent ouverts."
)
DELAI = (
    "La nouvelle carte Vitale arrive en général sous deux à trois semaines. En attendant, "
    "demandez une attestation de droits."
)
APL = (
    "L'aide personnalisée au logement (APL) est recalculée chaque trimestre. Le montant "
    "minimal versé est de 10 €. Une aide inférieure à 10 € n'est pas versée. La demande se fait "
    "avant le 31 décembre 2025."
)
SOURCES = [VITALE, DELAI, APL]


def _statuses(text: str, sources=SOURCES) -> list[tuple[str, str]]:
    return [(c.status, c.text) for c in verify_citations(text, sources).sentences]


def test_a_sentence_saying_what_its_source_says_is_supported():
    result = verify_citations(
        "Déclarez la perte de votre carte Vitale sur votre compte ameli [1].", SOURCES
    )
    assert (result.supported, result.unsupported, result.uncited) == (1, 0, 0)
    assert result.confidence == 1.0 and not result.main_claims_unsupported


def test_a_figure_that_differs_from_the_source_is_unsupported():
    result = verify_citations("La nouvelle carte arrive sous 5 semaines [2].", SOURCES)
    (check,) = result.sentences
    assert check.status == "unsupported" and check.missing_figures == ("5",)
    assert result.flagged == [check]


def test_figures_written_in_words_or_digits_meet():
    result = verify_citations("La nouvelle carte Vitale arrive sous 2 à 3 semaines [2].", SOURCES)
    assert result.supported == 1


def test_an_amount_and_a_date_must_match_exactly():
    good = verify_citations(
        "Une aide inférieure à 10 € n'est pas versée [3]. La demande se fait avant le "
        "31/12/2025 [3].",
        SOURCES,
    )
    assert (good.supported, good.unsupported) == (2, 0)
    bad = verify_citations(
        "Une aide inférieure à 15 € n'est pas versée [3]. La demande se fait avant le "
        "31 novembre 2025 [3].",
        SOURCES,
    )
    assert (bad.supported, bad.unsupported) == (0, 2)
    assert [c.missing_figures for c in bad.sentences] == [("15",), ("m11",)]


def test_citing_the_wrong_source_is_unsupported():
    result = verify_citations(
        "Déclarez la perte de votre carte Vitale sur votre compte ameli [3].", SOURCES
    )
    assert result.unsupported == 1
    assert set(result.sentences[0].missing_terms) >= {"amel", "vital"}


def test_a_sentence_citing_two_sources_needs_both_to_say_part_of_it():
    both = verify_citations(
        "Déclarez la perte sur votre compte ameli ; la nouvelle carte Vitale arrive sous deux "
        "à trois semaines [1][2].",
        SOURCES,
    )
    assert both.supported == 1 and both.sentences[0].cited == (1, 2)
    one_wrong = verify_citations(
        "Déclarez la perte de votre carte Vitale sur votre compte ameli [1, 3].", SOURCES
    )
    assert one_wrong.unsupported == 1 and one_wrong.sentences[0].wrong_sources == (3,)


def test_a_citation_of_a_source_that_was_not_provided_is_unsupported():
    result = verify_citations("Déclarez la perte de votre carte Vitale [9].", SOURCES)
    assert result.unsupported == 1 and result.sentences[0].wrong_sources == (9,)


def test_uncited_claims_are_counted_and_courtesy_is_not():
    text = (
        "Madame, Monsieur,\n\nNous avons bien reçu votre message et nous vous remercions.\n\n"
        "Votre caisse rembourse aussi les lunettes des enfants de moins de seize ans.\n\n"
        "Déclarez la perte de votre carte Vitale sur votre compte ameli [1].\n\n"
        "Nous restons à votre disposition.\n\nCordialement,\nLe service"
    )
    result = verify_citations(text, SOURCES)
    assert (result.supported, result.unsupported, result.uncited) == (1, 0, 1)
    assert 0 < result.confidence < 1


def test_a_paragraph_cited_at_its_end_is_checked_sentence_by_sentence():
    text = (
        "Si vous avez perdu votre carte Vitale, déclarez la perte sur votre compte ameli. "
        "Votre carte sera livrée par drone sous 48 heures [1]."
    )
    result = verify_citations(text, SOURCES)
    assert [c.status for c in result.sentences] == ["supported", "unsupported"]
    assert result.sentences[0].inherited
    strict = verify_citations(text, SOURCES, paragraph_scope=False)
    assert [c.status for c in strict.sentences] == ["uncited", "unsupported"]


def test_abbreviations_do_not_end_a_sentence():
    result = verify_citations("Selon l'art. L. 512-1, M. le directeur décide [3].", SOURCES)
    assert len(result.sentences) == 1


def test_a_draft_citing_nothing_contributes_no_confidence():
    result = verify_citations("Votre demande sera examinée par nos services rapidement.", [])
    assert result.confidence == 0.0 and result.main_claims_unsupported


def test_figures_are_normalised():
    assert {"1234.5", "15", "2025", "m3", "3"} <= figures("1 234,50 € ; 15 % ; mars 2025 ; trois")
    assert figures("le 01/03/2025") == frozenset({"1", "m3", "2025"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Texte [1].", "Texte."),
        ("Texte [1]. [6]", "Texte."),
        ("Texte. [1]", "Texte."),
        ("Texte [1] et suite.", "Texte et suite."),
        ("Texte [1][2], puis suite [3] .", "Texte, puis suite."),
        ("Texte [1, 2] : détail.", "Texte : détail."),
        ("Ligne.\n[3]\nAutre ligne [2].", "Ligne.\nAutre ligne."),
        ("[1] Début de ligne.", "Début de ligne."),
        (
            "Pour en savoir plus : fiche, https://www.ameli.fr [1].",
            "Pour en savoir plus : fiche, https://www.ameli.fr.",
        ),
        ("Rien à enlever : [NOM_1] reste.", "Rien à enlever : [NOM_1] reste."),
    ],
)
def test_strip_markers(text, expected):
    assert strip_markers(text) == expected
    # The reply service's last guard (cases never imports drafting) is the same function.
    assert strip_citation_markers(text) == expected
    assert not has_internal_markup(expected) or "[NOM_1]" in expected


def test_internal_markup_is_detected():
    assert has_internal_markup("Voir [2].")
    assert has_internal_markup("Bonjour [NOM_1],")
    assert has_internal_markup('<source n="1">x</source>')
    assert has_internal_markup("Merci (nom masqué).")
    assert not has_internal_markup("Bonjour Madame, voici la réponse (article 3).")


def test_references_block_lists_public_links_of_fiches_once():
    sources = [
        {
            "n": 1,
            "kind": "passage",
            "title": "Carte Vitale › Délai",
            "url": "https://www.ameli.fr/a",
        },
        {
            "n": 2,
            "kind": "passage",
            "title": "Carte Vitale › Perte",
            "url": "https://www.ameli.fr/a",
        },
        {"n": 3, "kind": "case", "title": "Réponse passée", "url": "https://www.ameli.fr/b"},
        {"n": 4, "kind": "passage", "title": "Fiche sans lien", "url": ""},
        {"n": 5, "kind": "passage", "title": "Démo", "url": "https://guichet.example.gouv.fr/x"},
        {"n": 6, "kind": "passage", "title": "Démo", "url": "https://www.example.org/x"},
    ]
    assert references_block(sources) == (
        "Pour en savoir plus :\n- Carte Vitale : https://www.ameli.fr/a"
    )
    assert references_block(sources[2:4]) == ""
    assert references_block([]) == ""
