"""The e-mail settings page: administrators only, the mailbox saved with its password
encrypted, the acknowledgement's text kept within the mentions the law expects."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEntry
from cases.intake.acknowledgement import DEFAULT_BODY, DEFAULT_SUBJECT
from cases.intake.imap import password_decrypt
from cases.models import AcknowledgementSettings, Channel, Mailbox, QuarantinedEmail

pytestmark = pytest.mark.django_db

URL = "cases:mail_settings"


def test_only_administrators_see_the_page(office, client):
    client.force_login(office.agent)
    assert client.get(reverse(URL)).status_code in (403, 404)
    client.force_login(office.administrator)
    page = client.get(reverse(URL))
    assert page.status_code == 200
    assert "{date_reception}" in page.content.decode()
    settings_page = client.get(reverse("cases:settings")).content.decode()
    assert reverse(URL) in settings_page


def test_mailbox_saved_from_the_page_with_its_password_encrypted(office, client):
    client.force_login(office.administrator)
    response = client.post(
        reverse("cases:mail_settings_mailbox"),
        {
            "address": "contact@caf69.example.gouv.fr",
            "host": "imap.example.gouv.fr",
            "port": "993",
            "security": "ssl",
            "username": "contact",
            "password": "tres-secret",
            "folder": "INBOX",
            "after_read": "move",
            "processed_folder": "Guichet",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(administration=office.administration)
    assert "tres-secret" not in mailbox.password_encrypted
    assert password_decrypt(mailbox.password_encrypted) == "tres-secret"
    page = client.get(reverse(URL)).content.decode()
    assert "imap.example.gouv.fr" in page and "tres-secret" not in page
    assert mailbox.password_encrypted not in page


def test_mailbox_needs_a_password_and_another_folder(office, client):
    client.force_login(office.administrator)
    data = {
        "host": "imap.example.gouv.fr",
        "port": "993",
        "security": "ssl",
        "username": "contact",
        "folder": "INBOX",
        "after_read": "move",
        "processed_folder": "INBOX",
    }
    response = client.post(reverse("cases:mail_settings_mailbox"), data)
    assert response.status_code == 400 and not Mailbox.objects.exists()
    response = client.post(reverse("cases:mail_settings_mailbox"), {**data, "password": "x"})
    assert response.status_code == 400 and not Mailbox.objects.exists()
    assert "another folder" in response.content.decode() or "autre dossier" in (
        response.content.decode()
    )


def test_acknowledgement_text_without_a_mention_is_refused_on_the_page(office, client):
    client.force_login(office.administrator)
    response = client.post(
        reverse("cases:mail_settings_acknowledgement"),
        {
            "channels": [Channel.EMAIL],
            "service_contact": "Accueil, 3230",
            "subject": DEFAULT_SUBJECT,
            "body": DEFAULT_BODY.replace("{contact}", "l'accueil"),
        },
    )
    assert response.status_code == 400
    assert "{contact}" in response.content.decode()
    assert not AcknowledgementSettings.objects.exists()
    response = client.post(
        reverse("cases:mail_settings_acknowledgement"),
        {
            "channels": [Channel.EMAIL, Channel.SERVICE_PUBLIC_QUESTION],
            "service_contact": "Accueil, 3230",
            "subject": DEFAULT_SUBJECT,
            "body": DEFAULT_BODY,
        },
    )
    assert response.status_code == 302
    config = AcknowledgementSettings.objects.get(administration=office.administration)
    assert config.channels == [Channel.SERVICE_PUBLIC_QUESTION, Channel.EMAIL]
    assert AuditEntry.objects.filter(action="settings.acknowledgement_changed").count() == 1


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("body", "{reference:>200000}"),
        ("subject", "{reference:>200000}"),
        ("body", "{usager.__class__}"),
        ("body", "{canal[0]}"),
        ("body", "{reference!r}"),
    ],
)
def test_a_placeholder_with_a_format_spec_or_attribute_is_refused_on_the_page(
    office, client, field, bad
):
    client.force_login(office.administrator)
    texts = {"subject": DEFAULT_SUBJECT, "body": DEFAULT_BODY}
    texts[field] += f" réf {bad}"
    response = client.post(
        reverse("cases:mail_settings_acknowledgement"),
        {"channels": [Channel.EMAIL], "service_contact": "Accueil, 3230", **texts},
    )
    assert response.status_code == 400
    assert escape(bad) in response.content.decode()  # the error names it
    assert not AcknowledgementSettings.objects.exists()


def test_quarantined_messages_are_listed_for_administrators_of_their_administration(
    office, elsewhere, client
):
    QuarantinedEmail.objects.create(
        administration=office.administration,
        source="deep.eml",
        sha256="a" * 64,
        raw=b"x",
        size=1,
        error="MIME parts nested deeper than 12 levels",
    )
    QuarantinedEmail.objects.create(
        administration=elsewhere, source="other.eml", sha256="b" * 64, raw=b"y", size=1, error="z"
    )
    client.force_login(office.administrator)
    page = client.get(reverse(URL)).content.decode()
    assert "deep.eml" in page and "other.eml" not in page
