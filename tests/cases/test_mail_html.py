"""The mails to the usager are ``multipart/alternative``: the plain text as before, and an HTML
version of it (cases/delivery/mail_html.py) where nothing the agent or the usager wrote becomes
markup, and only http(s) and mailto links are made. The mails are read as the real SMTP test
server received them."""

from __future__ import annotations

import time

import pytest
from lxml import html as lxml_html

from cases.delivery.mail_html import signature_split, text_to_html

USAGER = "camille.martin@example.org"
CONTACT = "contact@caf69.example.gouv.fr"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SAFE_SCHEMES = ("http://", "https://", "mailto:")

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "<IMG SRC=x oNeRrOr=alert(1)>",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "[cliquez ici](javascript:alert(1))",
    '<a href="javascript:alert(1)">mon dossier</a>',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    'https://exemple.fr/"onmouseover="alert(1)',
    "https://exemple.fr/<script>alert(1)</script>",
    "https://exemple.fr/'><svg/onload=alert(1)>",
    "jeanne@example.org<script>alert(1)</script>",
    "</p></td></tr></table><form action=https://evil.example>",
    "&lt;script&gt; &amp; &#60;b&#62;",
    "{{ request }} {% debug %}",
]


def parse(markup: str):
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def links(markup: str) -> list[tuple[str, str]]:
    return [(a.get("href"), a.text_content()) for a in parse(markup).iter("a")]


def assert_harmless(markup: str) -> None:
    tree = parse(markup)
    tags = {element.tag for element in tree.iter() if isinstance(element.tag, str)}
    assert tags <= {"div", "p", "br", "ul", "ol", "li", "a"}, tags
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert set(element.attrib) <= {"style", "href", "start"}, element.attrib
        href = element.get("href")
        assert href is None or href.startswith(SAFE_SCHEMES), href


# --- the conversion ----------------------------------------------------------------------------


def test_paragraphs_and_line_breaks_are_kept():
    markup = text_to_html(
        "Bonjour Madame,\n\nVotre dossier est complet.\nMerci.\n\n\n\nCordialement"
    )
    tree = parse(markup)
    paragraphs = [p.text_content() for p in tree.iter("p")]
    assert paragraphs == ["Bonjour Madame,", "Votre dossier est complet.\nMerci.", "Cordialement"]
    assert len(list(tree.iter("br"))) == 1


def test_windows_line_ends_and_control_characters_do_not_reach_the_html():
    markup = text_to_html("Bonjour,\r\n\r\nLigne\x07 un\r\nLigne deux\x00")
    assert "\r" not in markup and "\x07" not in markup and "\x00" not in markup
    assert [p.text_content() for p in parse(markup).iter("p")] == [
        "Bonjour,",
        "Ligne un\nLigne deux",
    ]


def test_dashes_and_bullets_make_a_list_numbers_a_numbered_one():
    text = (
        "Pièces à fournir :\n- votre avis d'imposition ;\n• un RIB\n  à votre nom ;\n"
        "* une pièce d'identité.\n\nÉtapes :\n1. Connectez-vous.\n2) Remplissez le formulaire."
    )
    tree = parse(text_to_html(text))
    (bullets,) = tree.iter("ul")
    assert [li.text_content() for li in bullets.iter("li")] == [
        "votre avis d'imposition ;",
        "un RIB\nà votre nom ;",
        "une pièce d'identité.",
    ]
    (numbered,) = tree.iter("ol")
    assert numbered.get("start") is None
    assert [li.text_content() for li in numbered.iter("li")] == [
        "Connectez-vous.",
        "Remplissez le formulaire.",
    ]
    assert [p.text_content() for p in tree.iter("p")] == ["Pièces à fournir :", "Étapes :"]


def test_a_numbered_list_interrupted_by_a_blank_line_goes_on_with_its_number():
    tree = parse(text_to_html("1. Premier point.\n\n2. Deuxième point.\n3. Troisième."))
    first, second = tree.iter("ol")
    assert first.get("start") is None and second.get("start") == "2"
    assert len(list(second.iter("li"))) == 2


def test_a_line_that_only_looks_like_a_list_is_a_paragraph():
    tree = parse(text_to_html("-- \nCAF du Rhône\n2026. Année de référence\n-5 € par mois"))
    assert not list(tree.iter("ul")) and not list(tree.iter("ol"))


def test_web_and_mail_addresses_become_links_without_the_punctuation_around_them():
    markup = text_to_html(
        "Voyez https://www.caf.fr/allocataires. Ou (https://fr.wikipedia.org/wiki/Loi_(droit)), "
        "«https://www.service-public.fr/particuliers» et www.impots.gouv.fr ! "
        "Écrivez à contact@caf69.fr, ou à jeanne.roux+caf@exemple.fr."
    )
    assert links(markup) == [
        ("https://www.caf.fr/allocataires", "https://www.caf.fr/allocataires"),
        (
            "https://fr.wikipedia.org/wiki/Loi_(droit)",
            "https://fr.wikipedia.org/wiki/Loi_(droit)",
        ),
        (
            "https://www.service-public.fr/particuliers",
            "https://www.service-public.fr/particuliers",
        ),
        ("https://www.impots.gouv.fr", "www.impots.gouv.fr"),
        ("mailto:contact@caf69.fr", "contact@caf69.fr"),
        ("mailto:jeanne.roux+caf@exemple.fr", "jeanne.roux+caf@exemple.fr"),
    ]
    text = parse(markup).text_content()
    assert "allocataires. Ou (https://" in text and "(droit)), «" in text


def test_a_link_keeps_its_query_string_and_accents_encoded():
    ((href, label),) = links(text_to_html("https://exemple.fr/démarche?a=1&b=2"))
    assert href == "https://exemple.fr/d%C3%A9marche?a=1&b=2"
    assert label == "https://exemple.fr/démarche?a=1&b=2"
    assert "&amp;b=2" in text_to_html("https://exemple.fr/?a=1&b=2")


def test_an_address_inside_a_link_is_not_linked_twice():
    markup = text_to_html("https://exemple.fr/contact?to=agent@caf.fr et user@https.fr")
    assert links(markup) == [
        (
            "https://exemple.fr/contact?to=agent@caf.fr",
            "https://exemple.fr/contact?to=agent@caf.fr",
        ),
        ("mailto:user@https.fr", "user@https.fr"),
    ]


def test_the_references_list_links_each_fiche_by_its_title():
    text = (
        "Pour en savoir plus :\n"
        "- Carte Vitale perdue ou volée : https://www.ameli.fr/assure/carte-vitale\n"
        "- Aide personnalisée au logement : https://www.caf.fr/apl?x=1&y=2\n"
        "- https://www.service-public.fr/particuliers/vosdroits/F12006"
    )
    tree = parse(text_to_html(text))
    assert [p.text_content() for p in tree.iter("p")] == ["Pour en savoir plus :"]
    (listed,) = tree.iter("ul")
    assert [(a.get("href"), a.text_content()) for a in listed.iter("a")] == [
        ("https://www.ameli.fr/assure/carte-vitale", "Carte Vitale perdue ou volée"),
        ("https://www.caf.fr/apl?x=1&y=2", "Aide personnalisée au logement"),
        (
            "https://www.service-public.fr/particuliers/vosdroits/F12006",
            "https://www.service-public.fr/particuliers/vosdroits/F12006",
        ),
    ]


def test_a_title_that_is_itself_an_address_does_not_hide_where_the_link_goes():
    markup = text_to_html("- https://www.ameli.fr : https://evil.example.com/ameli")
    assert links(markup) == [
        ("https://www.ameli.fr", "https://www.ameli.fr"),
        ("https://evil.example.com/ameli", "https://evil.example.com/ameli"),
    ]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_stays_text_and_makes_no_unsafe_link(hostile):
    for text in (
        hostile,
        f"Bonjour,\n\n- {hostile}\n1. {hostile}\n\nPour en savoir plus :\n- x : {hostile}",
    ):
        markup = text_to_html(text)
        assert_harmless(markup)
        # Shown as written, character for character.
        assert hostile in parse(markup).text_content()


def test_only_web_addresses_with_a_host_are_linked():
    assert links(text_to_html("https:// http://. www. https://localhost www.,")) == []


def test_long_runs_without_spaces_are_converted_at_once():
    started = time.monotonic()
    for text in (
        "a" * 50_000,
        "a." * 25_000,
        "a@" * 25_000,
        "https://" + "a" * 50_000,
        "(" * 50_000,
    ):
        assert_harmless(text_to_html(text))
    # Linear work: a quadratic scan of these would take minutes (a generous bound, not a timing).
    assert time.monotonic() - started < 30


def test_the_signature_is_set_apart_only_when_it_ends_the_reply():
    signature = "Camille Martin\r\nCAF du Rhône"
    assert signature_split("Bonjour,\n\nRéponse.\n\nCamille Martin\nCAF du Rhône\n", signature) == (
        "Bonjour,\n\nRéponse.",
        "Camille Martin\nCAF du Rhône",
    )
    assert signature_split("Écrivez à la CAF du Rhône", "CAF du Rhône") == (
        "Écrivez à la CAF du Rhône",
        "",
    )
    assert signature_split("Réponse.", "") == ("Réponse.", "")
