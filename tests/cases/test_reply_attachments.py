"""Reply attachments: checked like intake's, kept across the preview, sent in one transaction
with the reply, delivered by e-mail (MIME parts) and by the channel callback (signed JSON,
base64), listed under the reply and downloadable only by those who may see the case."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Attachment, Channel, Delivery, Reply, Status
from cases.services.reply_attachments import reply_attachments_purge_pending
from tests.api.conftest import session_client
from tests.case_states import bring_to, snapshot
from tests.factories import make_member

from .test_delivery import callback, endpoint  # noqa: F401  (the callback fixture)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
TEXT = "Bonjour, vous trouverez ci-joint le formulaire à remplir.\nCordialement."
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def post_reply(client, case, files=(), **data):
    payload = {"body": TEXT, "version": case.version, **data}
    if files:
        payload["attachments"] = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(reverse("cases:reply", args=[case.pk]), payload)


def hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)


def preview_and_send(client, case, files, capture):
    """The two steps, as the browser does them: the preview, then the confirm form."""
    preview = post_reply(client, case, files)
    assert preview.status_code == 200, preview.content.decode()[:2000]
    html = preview.content.decode()
    token = hidden(html, "attachment_token")[0]
    ids = hidden(html, "attachment_ids")
    with capture(execute=True):
        sent = post_reply(client, case, attachment_token=token, attachment_ids=ids, confirmed="on")
    assert sent.status_code == 302, sent.content.decode()[:2000]
    return preview


def status_of(client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        # Read to the end: the test client closes the file (without closing the database).
        b"".join(response.streaming_content)
    return response.status_code


def reply_mail(delivery: Delivery):
    """The mail of this delivery (the survey invitation and others may be in the outbox)."""
    mid = delivery.message_id
    (message,) = [m for m in mail.outbox if m.extra_headers.get("Message-ID") == mid]
    return message


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def test_a_pdf_is_previewed_sent_by_mail_and_listed_under_the_reply(
    office, media, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = signed_in(office.agent)
    preview = preview_and_send(
        client, case, [("formulaire.pdf", PDF)], django_capture_on_commit_callbacks
    )
    block = preview.content.decode().split('id="reply-preview-attachments"', 1)[1]
    assert "formulaire.pdf" in block.split("</div>", 1)[0]

    reply = Reply.objects.get(case=case)
    attachment = Attachment.objects.get(reply=reply)
    assert attachment.content_type == "application/pdf" and attachment.pending_token == ""
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert Path(attachment.file.path).read_bytes() == PDF

    # Delivered by e-mail: a real MIME part.
    delivery = Delivery.objects.get(reply=reply)
    assert delivery.status == Delivery.Status.DELIVERED
    message = reply_mail(delivery)
    parsed = message.message()
    parts = [p for p in parsed.walk() if p.get_filename()]
    assert [p.get_filename() for p in parts] == ["formulaire.pdf"]
    assert parts[0].get_content_type() == "application/pdf"
    assert parts[0].get_payload(decode=True) == PDF

    # Under the reply on the case page, not among the usager's files; downloadable.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("cases:attachment", args=[case.pk, attachment.pk])
    assert f'data-reply-attachments="{reply.pk}"' in page
    assert url in page.split(f'data-reply-attachments="{reply.pk}"', 1)[1].split("</ul>", 1)[0]
    assert 'id="attachments"' not in page
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_callback_carries_the_file_in_the_signed_payload(
    office,
    media,
    callback,  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    server, url = callback()
    endpoint(office, url)
    case = bring_to(Status.IN_PROGRESS, office)
    case.channel = Channel.SERVICES_PUBLICS_PLUS
    case.save(update_fields=["channel"])
    content = odt()
    preview_and_send(
        signed_in(office.agent),
        case,
        [("attestation.odt", content), ("plan.png", PNG)],
        django_capture_on_commit_callbacks,
    )
    reply = Reply.objects.get(case=case)
    assert Delivery.objects.get(reply=reply).status == Delivery.Status.DELIVERED
    (received,) = server.received
    assert received["signed"]
    sent = received["body"]["reply"]["attachments"]
    assert [a["name"] for a in sent] == ["attestation.odt", "plan.png"]
    assert sent[0]["content_type"] == "application/vnd.oasis.opendocument.text"
    assert base64.b64decode(sent[0]["content_base64"]) == content
    assert sent[0]["size"] == len(content)
    assert sent[0]["sha256"] == hashlib.sha256(content).hexdigest()
    assert base64.b64decode(sent[1]["content_base64"]) == PNG


def test_an_executable_named_pdf_is_a_form_error_and_nothing_is_written(office, media):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = post_reply(signed_in(office.agent), case, [("formulaire.pdf", EXE)])
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split('id="reply-errors"', 1)[1].split("</div>", 1)[0]
    assert "“formulaire.pdf” is not an accepted type" in errors
    assert 'id="confirm-send"' not in html
    assert snapshot(case) == before
    assert not Attachment.objects.filter(case=case).exists()
    assert files_in(media) == []


def test_a_colleague_previewing_files_on_a_case_not_theirs_stores_nothing(office, media):
    """The reply's rule before any file is stored: the case is agent's, agent2 may not reply."""
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = post_reply(signed_in(office.agent2), case, [("formulaire.pdf", PDF)])
    assert response.status_code == 403
    assert snapshot(case) == before
    assert not Attachment.objects.filter(case=case).exists()
    assert files_in(media) == []


def test_a_manager_may_preview_files_on_an_agents_case(office, media):
    case = bring_to(Status.IN_PROGRESS, office)
    response = post_reply(signed_in(office.manager), case, [("formulaire.pdf", PDF)])
    assert response.status_code == 200
    assert Attachment.objects.get(case=case).uploaded_by_id == office.manager.pk


def test_one_bad_file_among_good_ones_writes_none_of_them(office, media):
    case = bring_to(Status.IN_PROGRESS, office)
    response = post_reply(
        signed_in(office.agent), case, [("ok.pdf", PDF), ("virus.pdf", EXE), ("ok.png", PNG)]
    )
    assert response.status_code == 400
    assert not Attachment.objects.filter(case=case).exists()
    assert files_in(media) == []


def test_too_many_or_too_large_files_are_refused(office, media, settings):
    settings.INTAKE_ATTACHMENT_MAX_FILES = 2
    settings.INTAKE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    case = bring_to(Status.IN_PROGRESS, office)
    client = signed_in(office.agent)
    response = post_reply(client, case, [("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF)])
    assert response.status_code == 400
    assert "Too many attachments: 3 (2 at most)." in response.content.decode()

    large = PDF + b"0" * (1024 * 1024)
    response = post_reply(client, case, [("gros.pdf", large)])
    assert response.status_code == 400
    assert "“gros.pdf” is too large (1 MB at most)." in response.content.decode()
    assert not Attachment.objects.filter(case=case).exists()
    assert files_in(media) == []


def test_the_error_is_in_french_for_a_french_agent(office, media):
    case = bring_to(Status.IN_PROGRESS, office)
    client = Client(headers={"accept-language": "fr"})
    client.force_login(office.agent, backend=MODEL_BACKEND)
    response = post_reply(client, case, [("formulaire.pdf", EXE)])
    assert response.status_code == 400
    page = unescape(response.content.decode())
    expected = "« formulaire.pdf » n'est pas d'un type accepté (PDF, PNG, JPEG ou OpenDocument)."
    assert expected in page


def test_back_to_editing_keeps_the_files_and_unticking_removes_one(
    office, media, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = signed_in(office.agent)
    preview = post_reply(client, case, [("a.pdf", PDF), ("b.png", PNG)])
    html = preview.content.decode()
    token, ids = hidden(html, "attachment_token")[0], hidden(html, "attachment_ids")
    assert len(ids) == 2

    edit = post_reply(
        client, case, attachment_token=token, attachment_ids=ids, confirmed="on", edit="1"
    )
    edit_html = edit.content.decode()
    assert hidden(edit_html, "attachment_token") == [token]
    for pk in ids:
        assert f'name="attachment_ids" value="{pk}" id="reply-attachment-{pk}" checked' in edit_html

    # Untick b.png, add nothing: the second preview lists a.pdf only, b.png is gone.
    again = post_reply(client, case, attachment_token=token, attachment_ids=[ids[0]])
    assert hidden(again.content.decode(), "attachment_ids") == [ids[0]]
    assert not Attachment.objects.filter(pk=ids[1]).exists()
    # Reload of the confirm step: same token, same file, nothing stored twice.
    again = post_reply(client, case, attachment_token=token, attachment_ids=[ids[0]])
    assert hidden(again.content.decode(), "attachment_ids") == [ids[0]]
    assert Attachment.objects.filter(case=case).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        sent = post_reply(
            client, case, attachment_token=token, attachment_ids=[ids[0]], confirmed="on"
        )
    assert sent.status_code == 302
    assert [a.original_name for a in Attachment.objects.filter(reply__case=case)] == ["a.pdf"]


def test_files_gone_before_confirming_send_nothing(office, media):
    case = bring_to(Status.IN_PROGRESS, office)
    client = signed_in(office.agent)
    html = post_reply(client, case, [("a.pdf", PDF)]).content.decode()
    token, ids = hidden(html, "attachment_token")[0], hidden(html, "attachment_ids")
    Attachment.objects.filter(pk__in=ids).update(created_at="2000-01-01T00:00:00Z")
    assert reply_attachments_purge_pending() == 1
    before = snapshot(case)
    response = post_reply(client, case, attachment_token=token, attachment_ids=ids, confirmed="on")
    assert response.status_code == 400
    assert "no longer available" in response.content.decode()
    assert snapshot(case) == before
    assert not Reply.objects.filter(case=case).exists()


def test_a_pending_file_is_its_agents_only_and_needs_its_token(office, media):
    case = bring_to(Status.IN_PROGRESS, office)
    html = post_reply(signed_in(office.agent), case, [("a.pdf", PDF)]).content.decode()
    ids = hidden(html, "attachment_ids")
    # A forged token does not bind the file.
    response = post_reply(
        signed_in(office.agent), case, attachment_token="forged", attachment_ids=ids, confirmed="on"
    )
    assert response.status_code == 400
    assert not Reply.objects.filter(case=case).exists()
    url = reverse("cases:attachment", args=[case.pk, ids[0]])
    # The case's manager sees the case but not another agent's unsent file.
    assert status_of(signed_in(office.manager), url) == 404
    assert status_of(signed_in(office.agent), url) == 200


def test_another_administrations_agent_cannot_download(
    office, elsewhere, media, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    preview_and_send(
        signed_in(office.agent), case, [("a.pdf", PDF)], django_capture_on_commit_callbacks
    )
    attachment = Attachment.objects.get(reply__case=case)
    url = reverse("cases:attachment", args=[case.pk, attachment.pk])
    stranger = make_member(elsewhere, "manager")
    assert status_of(signed_in(stranger), url) == 404
    assert status_of(signed_in(office.agent), url) == 200


def test_the_api_takes_multipart_attachments(office, media, django_capture_on_commit_callbacks):
    case = bring_to(Status.IN_PROGRESS, office)
    client = session_client(office.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/cases/{case.pk}/reply/",
            {"body": TEXT, "attachments": [SimpleUploadedFile("formulaire.pdf", PDF)]},
            format="multipart",
        )
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(reply__case=case)
    assert attachment.original_name == "formulaire.pdf" and attachment.pending_token == ""
    message = reply_mail(Delivery.objects.get(reply=attachment.reply))
    assert [a[0] for a in message.attachments] == ["formulaire.pdf"]


def test_the_api_refuses_a_bad_file_with_its_error_shape(office, media):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = session_client(office.agent).post(
        f"/api/v1/cases/{case.pk}/reply/",
        {
            "body": TEXT,
            "attachments": [
                SimpleUploadedFile("ok.pdf", PDF),
                SimpleUploadedFile("formulaire.pdf", EXE),
            ],
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert set(body["fields"]) == {"attachments"}
    assert snapshot(case) == before
    assert not Reply.objects.filter(case=case).exists()
    assert files_in(media) == []


@pytest.mark.parametrize(
    ("name", "content", "intake", "reply"),
    [
        ("a.pdf", PDF, "application/pdf", "application/pdf"),
        ("a.png", PNG, "image/png", "image/png"),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "image/jpeg", "image/jpeg"),
        ("a.odt", odt(), None, "application/vnd.oasis.opendocument.text"),
        ("a.pdf", EXE, None, None),
        ("a.pdf", b"<html><script>", None, None),
    ],
)
def test_intake_and_replies_type_files_alike_opendocument_in_replies_only(
    office, name, content, intake, reply, settings
):
    """One table of signatures (cases/files.py) behind both doors: the same bytes get the same
    type, whatever the name; OpenDocument only from agents."""
    from django.core.exceptions import ValidationError

    from cases.intake.attachments import AttachmentData, attachments_check
    from cases.services.reply_attachments import UploadedFile, reply_files_check

    settings.CLAMAV_URL = ""
    case = bring_to(Status.IN_PROGRESS, office)
    for check, expected in (
        (lambda: attachments_check([AttachmentData(name=name, content=content)]), intake),
        (
            lambda: reply_files_check(
                [UploadedFile(name=name, content=content)], case=case, actor=office.agent
            ),
            reply,
        ),
    ):
        if expected is None:
            with pytest.raises(ValidationError) as refused:
                check()
            assert name in refused.value.message_dict["attachments"][0]
        else:
            (checked,) = check()
            assert checked.content_type == expected
            assert checked.sha256 == hashlib.sha256(content).hexdigest()
