"""The mails to the usager are ``multipart/alternative``: the plain text as before, and an HTML
version of it (cases/delivery/mail_html.py) where nothing the agent or the usager wrote becomes
markup, and only http(s) and mailto links are made. The mails are read as the real SMTP test
server received them."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import html as lxml_html

from accounts import services as account_services
from cases import services
from cases.delivery.mail_html import case_mail_html, signature_split, text_to_html
from cases.intake.acknowledgement import DEFAULT_BODY, DEFAULT_SUBJECT
from cases.intake.services import intake_receive
from cases.intake.settings_services import acknowledgement_settings_save, mailbox_save
from cases.models import Acknowledgement, Channel, Delivery, Mailbox
from cases.services.reply_attachments import uploaded_files
from tests.factories import make_case

from .mailservers import html_of, start_smtp, text_of, wait_until

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


def test_a_list_typed_with_non_breaking_spaces_is_a_list():
    tree = parse(text_to_html("•\u00a0un RIB ;\n-\u00a0un justificatif.\n1.\u00a0Signez."))
    assert [li.text_content() for li in tree.iter("li")] == [
        "un RIB ;",
        "un justificatif.",
        "Signez.",
    ]


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
        "«https://www.service-public.fr/particuliers» et www.impots.gouv.fr ! Voir https://x.fr… "
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
        ("https://x.fr", "https://x.fr"),
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


# --- the mails, as the SMTP server received them ------------------------------------------------


@pytest.fixture
def smtp(settings):
    server = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "guichet@caf69.example.gouv.fr"
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def received(smtp, condition):
    return wait_until(lambda: [m for m in smtp.to(USAGER) if condition(m)], what="the mail")[-1]


def assert_well_formed_for_mail_clients(markup: str, office) -> object:
    document = lxml_html.document_fromstring(markup)
    assert document.get("lang") == "fr"
    assert not document.xpath("//script | //style | //img | //link | //iframe | //form")
    assert not document.xpath("//@class | //@id | //@*[starts-with(name(), 'on')]")
    assert all(href.startswith(SAFE_SCHEMES) for href in document.xpath("//a/@href"))
    _page, header, _content, footer = document.xpath("//td")
    # The administration's name heads the mail; the footer says who sent it.
    assert header.text_content().strip() == office.administration.name
    assert office.administration.name in footer.text_content()
    return document


@pytest.mark.django_db
def test_a_reply_is_text_and_html_with_its_file_and_headers_as_before(
    office, smtp, django_capture_on_commit_callbacks
):
    acknowledgement_settings_save(
        actor=office.administrator,
        administration=office.administration,
        channels=[Channel.SERVICES_PUBLICS_PLUS],
        subject=DEFAULT_SUBJECT,
        body=DEFAULT_BODY,
        service_contact="accueil@caf69.example.gouv.fr",
    )
    mailbox_save(
        actor=office.administrator,
        administration=office.administration,
        password="mot-de-passe",
        address=CONTACT,
        host="127.0.0.1",
        port=143,
        security=Mailbox.Security.NONE,
        username="caf69",
        folder="INBOX",
        after_read=Mailbox.AfterRead.FLAG,
        is_active=True,  # it reads the usager's answers: the mails say Reply-To it
    )
    account_services.administration_update_texts(
        actor=office.administrator,
        administration=office.administration,
        signature="Camille Agent\nService des prestations",
        closing="Cordialement,",
    )
    data = {
        "title": "Mon APL",
        "description": "Mon APL a baissé sans explication.",
        "structure": {"name": "CAF"},
        "author": {"first_name": "Camille", "last_name": "Martin", "email": USAGER},
        "id": "exp-1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        case = intake_receive(
            administration=office.administration,
            channel=Channel.SERVICES_PUBLICS_PLUS,
            key="k-1",
            data=data,
            raw_payload=data,
            attachments=[],
        ).case
    ack = received(smtp, lambda m: "Accusé" in m["Subject"])
    case = services.case_take(actor=office.agent, case=case)

    hostile = '<script>alert("x")</script> <img src=x onerror=alert(1)> javascript:alert(1)'
    body = (
        "Bonjour Madame Martin,\n\n"
        f"Vous nous écrivez : « {hostile} ».\n\n"
        "Pièces à fournir :\n- votre avis d'imposition ;\n• un RIB.\n\n"
        "1. Connectez-vous sur https://www.caf.fr/allocataires.\n"
        "2. Écrivez-nous à accueil@caf69.example.gouv.fr.\n\n"
        "Pour en savoir plus :\n"
        "- Aide personnalisée au logement : https://www.caf.fr/apl?a=1&b=2\n\n"
        "Cordialement,\n\n"
        "Camille Agent\nService des prestations"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(
            actor=office.agent,
            case=case,
            body=body,
            files=uploaded_files([SimpleUploadedFile("formulaire.pdf", PDF)]),
        )
    delivery = Delivery.objects.get(reply__case=case)
    assert delivery.status == Delivery.Status.DELIVERED, delivery.last_error
    mail = received(smtp, lambda m: m["Message-ID"].strip() == delivery.message_id)

    # multipart/mixed: the alternative (text, then HTML: the last is the preferred one), then
    # the file.
    assert mail.get_content_type() == "multipart/mixed"
    alternative, attached = mail.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert attached.get_filename() == "formulaire.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_payload(decode=True) == PDF

    # The text is what it always was.
    assert text_of(mail).rstrip("\n") == delivery.reply.body == body

    # The headers too: Reply-To the mailbox, threaded on the acknowledgement, From named.
    assert mail["Reply-To"] == CONTACT
    assert mail["In-Reply-To"] == ack["Message-ID"] == Acknowledgement.objects.get().message_id
    assert mail["References"] == ack["Message-ID"]
    assert mail["From"].addresses[0].display_name == office.administration.name
    assert mail["X-Guichet-Reference"] == case.reference

    markup = html_of(mail)
    document = assert_well_formed_for_mail_clients(markup, office)
    assert document.xpath("//title")[0].text_content() == mail["Subject"]
    content = document.text_content()
    assert hostile in content and "<script" not in markup and "<img" not in markup
    assert [li.text_content() for li in document.xpath("//ul[1]/li")] == [
        "votre avis d'imposition ;",
        "un RIB.",
    ]
    assert len(document.xpath("//ol/li")) == 2
    assert [(a.get("href"), a.text_content()) for a in document.xpath("//a")] == [
        ("https://www.caf.fr/allocataires", "https://www.caf.fr/allocataires"),
        ("mailto:accueil@caf69.example.gouv.fr", "accueil@caf69.example.gouv.fr"),
        ("https://www.caf.fr/apl?a=1&b=2", "Aide personnalisée au logement"),
    ]
    # The signature set apart at the end; the case's reference in the footer.
    _page, _header, text, footer = document.xpath("//td")
    (signature,) = text.xpath("./div")
    assert signature.text_content().strip() == "Camille Agent\nService des prestations"
    assert "Camille Agent" not in text.xpath("./p")[-1].text_content()
    assert case.reference in footer.text_content()

    # The acknowledgement has its HTML version too, the contact address a link.
    assert ack.get_content_type() == "multipart/alternative"
    assert text_of(ack).rstrip("\n") == Acknowledgement.objects.get().body
    ack_document = assert_well_formed_for_mail_clients(html_of(ack), office)
    assert ack_document.xpath("//a/@href") == ["mailto:accueil@caf69.example.gouv.fr"]
    assert ack["Auto-Submitted"] == "auto-generated"


@pytest.mark.django_db
def test_the_survey_invitation_links_the_survey(office, smtp, django_capture_on_commit_callbacks):
    case = services.case_take(
        actor=office.agent, case=make_case(office.administration, usager_email=USAGER)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(
            actor=office.agent, case=case, body="Bonjour,\n\nVotre dossier est traité."
        )
    survey = received(smtp, lambda m: "/enquete/" in text_of(m))
    document = assert_well_formed_for_mail_clients(html_of(survey), office)
    (url,) = [line for line in text_of(survey).splitlines() if "/enquete/" in line]
    assert document.xpath("//a/@href") == [url.strip()]
    assert survey["Auto-Submitted"] == "auto-generated"
    reply = received(smtp, lambda m: "Votre dossier est traité" in text_of(m))
    # Without files: the alternative alone, and no signature block (none ends the reply).
    assert reply.get_content_type() == "multipart/alternative"
    document = lxml_html.document_fromstring(html_of(reply))
    assert not document.xpath('//td/div[contains(@style, "#3a3a3a")]')


def test_a_label_naming_a_site_never_hides_where_its_link_goes():
    html = text_to_html("- Suivre votre dossier sur caf.fr : https://evil.example/login")
    tree = lxml_html.fromstring(html)
    for link in tree.iter("a"):
        # Whatever is linked shows its own address.
        assert link.text_content().strip().rstrip(".") in link.get("href")
    assert "https://evil.example/login" in tree.text_content()


def _apl_case(office, **extra):
    return services.case_create(
        actor=office.administrator,
        administration=office.administration,
        channel=Channel.SERVICES_PUBLICS_PLUS,
        subject="Mon APL",
        body="Mon APL a baissé.",
        usager_email="jeanne@example.org",
        **extra,
    )


def test_a_usager_name_with_line_breaks_is_one_line_in_the_case_and_its_mails(office):
    name = "Jeanne\n\n- Suivre votre dossier sur caf.fr : https://evil.example/login\n\nRoux"
    case = _apl_case(office, usager_name=name)
    assert "\n" not in case.usager_name
    assert case.usager_name.startswith("Jeanne - Suivre")


def test_the_no_answer_notice_comes_after_the_signature_which_keeps_its_block(office):
    office.administration.signature = "Service des prestations\n04 72 00 00 00"
    office.administration.save(update_fields=["signature"])
    case = _apl_case(office)
    body = "Bonjour,\n\nVotre aide est recalculée.\n\nService des prestations\n04 72 00 00 00"
    html = case_mail_html(case=case, subject="Mon APL", body=body, notice="Ne répondez pas.")
    assert '<div style="margin:24px 0 0 0;color:#3a3a3a;">' in html  # the signature's block
    assert html.index("04 72 00 00 00") < html.index("Ne répondez pas.")


def test_a_long_run_of_closing_brackets_after_an_address_is_trimmed_in_linear_time():
    started = time.perf_counter()
    # 200,000 brackets: about 0.1 s in one pass, minutes when each step recounted them.
    html = text_to_html("voir http://a.fr/" + ")" * 200_000)
    assert time.perf_counter() - started < 5.0
    assert 'href="http://a.fr/"' in html
