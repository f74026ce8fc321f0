"""A usager's identity-document numbers must not leave their case.

The pseudonymiser (drafting/suggestions/pseudonymise/) masks a usager's identifiers before the
text goes to the model, and the answer bank stores sent replies through the same masks before
other usagers' drafts reuse them. Numbers of identity documents named after the document
("passeport n° …") are masked too: otherwise they would reach the model (an external API in
production) and, through a learned answer, other cases' drafts.
"""

from __future__ import annotations

import time

import pytest

from drafting.answers.cleaning import anonymise
from drafting.suggestions.pseudonymise import pseudonymise

DOCUMENTS = [
    pytest.param("Votre passeport n° 18AB12345 expire en mai.", "18AB12345", id="passport"),
    pytest.param(
        "Votre carte d'identité numéro X4RTBPFW4 est valide.", "X4RTBPFW4", id="identity-card"
    ),
    pytest.param(
        "Votre titre de séjour n° 6912345678 est en cours de renouvellement.",
        "6912345678",
        id="residence-permit",
    ),
    pytest.param("Votre permis de conduire n° 12AB34567 est suspendu.", "12AB34567", id="licence"),
]


@pytest.mark.parametrize(("text", "number"), DOCUMENTS)
def test_the_model_never_reads_an_identity_document_number(text, number):
    assert number not in pseudonymise(text).text


@pytest.mark.parametrize(("text", "number"), DOCUMENTS)
def test_the_answer_bank_never_keeps_an_identity_document_number(text, number):
    assert number not in anonymise(text)


NOT_NUMBERS = [
    "J'ai le permis B depuis 2015 et mon passeport est valable 10 ans.",
    "Ma carte de séjour est valable jusqu'au 12/05/2027.",
    "Permis à points : il me reste 6 points sur 12.",
    "Le permis de construire PC 069 123 24 A0012 est accordé.",
    "Mon permis de conduire 1998 2012.",
    "Titre de séjour 2024 2025 2026.",
    "J'ai renouvelé mon passeport le 12 03 2024 à la mairie, est-il valable ?",
    "Mon permis de conduire est le 12 03 2024 suspendu.",
]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_what_is_not_a_document_number_reaches_the_model_as_written(text):
    assert pseudonymise(text).text == text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("mon passeport 18 AB 12345 a expiré", "12345"),
        ("Mon numéro étranger est 6912345678.", "6912345678"),
        ("passeport n°18AB12345.", "18AB12345"),
        ("mon permis de conduire (n° 12AB34567) a été suspendu", "12AB34567"),
        ("carte de résident n° 1234567890", "1234567890"),
        ("titre de séjour pluriannuel n° 1234567890", "1234567890"),
        ("permis de conduire B n° 123456789012", "123456789012"),
        ("mon numéro AGDREF est le 6912345678", "6912345678"),
        ("passeport qui porte le numéro 18AB12345", "18AB12345"),
        ("Le passeport de mon fils n° 18AB12345 est perdu", "18AB12345"),
        ("Le passeport de ma fille porte le numéro 18AB12345", "18AB12345"),
        ("permis de conduire A2 n° 123456789012", "123456789012"),
    ],
)
def test_a_document_number_is_masked_however_it_is_written(text, number):
    assert number not in pseudonymise(text).text


def test_the_kinds_already_masked_stay_masked():
    """IBAN, social security number, phone."""
    text = (
        "Compte FR7630006000011234567890189, sécurité sociale 1 85 05 69 123 456 78, "
        "téléphone 06 12 34 56 78."
    )
    masked = anonymise(text)
    for number in ("FR7630006000011234567890189", "69 123 456", "06 12 34 56 78"):
        assert number not in masked


@pytest.mark.parametrize("tail", ["/", "-", ".5", ""])
def test_a_long_run_after_a_documents_name_is_read_at_once(tail):
    # Nested unbounded groups backtracked for minutes over a pasted blob after "passeport".
    text = "Voici mon passeport " + "1" * 50_000 + tail
    started = time.perf_counter()
    pseudonymise(text)
    assert time.perf_counter() - started < 2
