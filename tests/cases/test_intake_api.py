"""Intake endpoints: each channel's payload becomes a case, once per idempotency key."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from cases.models import Attachment, Case, CaseEvent, Channel, IntakeDelivery, Priority
from tests.case_states import make_office

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64

SP_PLUS = {
    "id": "exp-48213",
    "title": "Attente de trois mois pour ma prime d'activité",
    "description": "J'ai déposé ma demande en juin et je n'ai toujours aucune réponse.",
    "structure": {"name": "Caisse d'allocations familiales du Rhône", "site": "Lyon 3"},
    "author": {"first_name": "Camille", "last_name": "Martin", "email": "Camille@Example.org"},
    "experience_date": "2026-10-02",
    "feeling": "negative",
    "tags": ["famille"],
}
SP_QUESTION = {
    "id": "q-2026-77120",
    "subject": "Renouvellement de carte d'identité",
    "question": "Ma carte expire le mois prochain, dois-je prendre rendez-vous ?",
    "usager": {"first_name": "Léa", "last_name": "Durand", "email": "lea@example.org"},
    "fiche": {"reference": "F1341", "title": "Carte d'identité d'un majeur"},
}
FRANCE_SERVICES = {
    "id": "fs-gueret-2026-0412",
    "site": {"code": "FS-23096", "name": "France Services de Guéret"},
    "conseiller": {"first_name": "Paul", "last_name": "Bernard", "email": "paul@example.fr"},
    "usager": {"first_name": "Jean", "last_name": "Petit", "phone": "0555000000"},
    "demarche": {"label": "Ouverture des droits à la retraite", "organisme": "CARSAT"},
    "notes": "L'usager n'a pas reçu de réponse à sa demande de retraite déposée en mars.",
    "urgent": True,
    "consent": True,
}

URLS = {
    "sp_plus": "/api/v1/intake/services-publics-plus/",
    "sp_question": "/api/v1/intake/service-public/",
    "france_services": "/api/v1/intake/france-services/",
}


def client_for(office, scope: str = "intake") -> APIClient:
    _token, key = api_token_create(
        actor=office.administrator,
        administration=office.administration,
        name=f"Plateforme {scope}",
        scope=scope,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def post(client, url, payload, key="delivery-1", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        url, data=json.dumps(payload), content_type="application/json", **headers, **extra
    )


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_services_publics_plus_experience_becomes_a_case(office):
    response = post(client_for(office), URLS["sp_plus"], SP_PLUS)
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert case.administration == office.administration
    assert case.channel == Channel.SERVICES_PUBLICS_PLUS
    assert case.subject == SP_PLUS["title"]
    assert case.body.startswith(SP_PLUS["description"])
    assert "Lyon 3" in case.body and "02/10/2026" in case.body
    assert case.usager_name == "Camille Martin"
    assert case.usager_email == "camille@example.org"
    assert body["external_id"] == "exp-48213" and body["idempotency_key"] == "delivery-1"
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CREATED).count() == 1


def test_service_public_question_and_france_services_record(office):
    client = client_for(office)
    question = post(client, URLS["sp_question"], SP_QUESTION, key="q-1")
    record = post(client, URLS["france_services"], FRANCE_SERVICES, key="fs-1")
    assert question.status_code == 201 and record.status_code == 201, (
        question.json(),
        record.json(),
    )
    q = Case.objects.get(reference=question.json()["reference"])
    assert q.channel == Channel.SERVICE_PUBLIC_QUESTION
    assert q.usager_email == "lea@example.org" and "F1341" in q.body
    fs = Case.objects.get(reference=record.json()["reference"])
    assert fs.channel == Channel.FRANCE_SERVICES
    assert fs.subject == "Ouverture des droits à la retraite (CARSAT)"
    assert fs.priority == Priority.HIGH
    assert fs.usager_phone == "05 55 00 00 00" and "Paul Bernard" in fs.body


def test_line_breaks_and_control_characters_leave_the_subject_on_every_channel(office):
    """A header injection attempt is stored as one line of text (it becomes the replies' mail
    subject)."""
    client = client_for(office)
    payloads = {
        "sp_question": {**SP_QUESTION, "subject": "Hello\r\nBcc: x@example.org\x1b[31m\x07"},
        "sp_plus": {**SP_PLUS, "title": "Hello\r\nBcc: x@example.org\x1b[31m\x07"},
        "france_services": {
            **FRANCE_SERVICES,
            "demarche": {"label": "Hello\u2028Bcc: x@example.org\x1b[31m\x0b"},
        },
    }
    for name, payload in payloads.items():
        response = post(client, URLS[name], payload, key=f"crlf-{name}")
        assert response.status_code == 201, (name, response.json())
        case = Case.objects.get(reference=response.json()["reference"])
        assert case.subject == "Hello Bcc: x@example.org [31m", name


def test_same_delivery_twice_makes_one_case(office):
    client = client_for(office)
    first = post(client, URLS["sp_plus"], SP_PLUS, key="retry-me")
    second = post(client, URLS["sp_plus"], SP_PLUS, key="retry-me")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert IntakeDelivery.objects.filter(key="retry-me").count() == 1


def test_same_key_with_another_payload_is_refused_with_422(office):
    client = client_for(office)
    assert post(client, URLS["sp_plus"], SP_PLUS, key="k").status_code == 201
    changed = {**SP_PLUS, "description": "Un autre texte."}
    response = post(client, URLS["sp_plus"], changed, key="k")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["detail"]
    assert Case.objects.filter(administration=office.administration).count() == 1


def test_same_key_on_another_channel_is_another_delivery(office):
    client = client_for(office)
    assert post(client, URLS["sp_plus"], SP_PLUS, key="k").status_code == 201
    assert post(client, URLS["sp_question"], SP_QUESTION, key="k").status_code == 201
    assert Case.objects.filter(administration=office.administration).count() == 2


def test_keys_are_per_administration(office):
    other = make_office("Caisse primaire d'assurance maladie de Gironde", "CPAM33X")
    assert post(client_for(office), URLS["sp_plus"], SP_PLUS, key="k").status_code == 201
    response = post(client_for(other), URLS["sp_plus"], SP_PLUS, key="k")
    assert response.status_code == 201
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.administration == other.administration


def test_administration_comes_from_the_token_never_the_payload(office):
    other = make_office("Caisse primaire d'assurance maladie de Gironde", "CPAM33Y")
    payload = {**SP_PLUS, "administration": other.administration.pk, "administration_id": 1}
    response = post(client_for(office), URLS["sp_plus"], payload)
    assert response.status_code == 201
    assert Case.objects.get(reference=response.json()["reference"]).administration == (
        office.administration
    )
    assert not Case.objects.filter(administration=other.administration).exists()


@pytest.mark.parametrize(
    ("url", "payload", "fields"),
    [
        ("sp_plus", {}, {"title", "description", "structure", "author"}),
        ("sp_plus", {**SP_PLUS, "title": ""}, {"title"}),
        ("sp_plus", {**SP_PLUS, "structure": {"site": "x"}}, {"structure"}),
        ("sp_plus", {**SP_PLUS, "experience_date": "2026-13-45"}, {"experience_date"}),
        ("sp_plus", {**SP_PLUS, "author": {"email": "pas-un-email"}}, {"author"}),
        ("sp_plus", {**SP_PLUS, "tags": "famille"}, {"tags"}),
        ("sp_plus", {**SP_PLUS, "title": "x" * 301}, {"title"}),
        ("sp_question", {**SP_QUESTION, "usager": {"first_name": "Léa"}}, {"usager"}),
        ("sp_question", {**SP_QUESTION, "fiche": {"reference": "12"}}, {"fiche"}),
        ("france_services", {**FRANCE_SERVICES, "consent": False}, {"consent"}),
        ("france_services", {**FRANCE_SERVICES, "usager": {"first_name": "J"}}, {"usager"}),
        ("sp_plus", {**SP_PLUS, "attachments": [{"filename": "a.pdf"}]}, {"attachments"}),
        (
            "sp_plus",
            {**SP_PLUS, "attachments": [{"filename": "a.pdf", "content_base64": "%%%"}]},
            {"attachments"},
        ),
    ],
)
def test_bad_payload_is_400_with_the_field_names(office, url, payload, fields):
    response = post(client_for(office), URLS[url], payload)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    named = {name.split(".")[0].split("[")[0] for name in body["fields"]}
    assert fields <= named, body
    assert all(isinstance(m, str) and "{" not in m for ms in body["fields"].values() for m in ms)
    assert not Case.objects.filter(administration=office.administration).exists()
    assert not IntakeDelivery.objects.exists()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"a string"', "application/json"),
        ("title=x", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_client_errors(office, data, content_type):
    response = client_for(office).post(
        URLS["sp_plus"], data=data, content_type=content_type, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert 400 <= response.status_code < 500
    assert response.status_code in (400, 415)
    assert "detail" in response.json()
    assert not Case.objects.exists()


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 201, "tab\there"])
def test_missing_or_bad_idempotency_key_is_400(office, key):
    payload = {k: v for k, v in SP_PLUS.items() if k != "id"}
    response = post(client_for(office), URLS["sp_plus"], payload, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Case.objects.exists()


def test_without_the_header_the_channel_id_is_the_key(office):
    client = client_for(office)
    first = post(client, URLS["sp_plus"], SP_PLUS, key=None)
    again = post(client, URLS["sp_plus"], SP_PLUS, key=None)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["idempotency_key"] == "id:exp-48213"
    assert Case.objects.filter(administration=office.administration).count() == 1


def test_too_large_body_is_413(office, settings):
    settings.INTAKE_MAX_BODY_BYTES = 1000
    response = post(client_for(office), URLS["sp_plus"], {**SP_PLUS, "description": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_tokens_without_intake_scope_and_sessions_are_refused(office):
    assert post(client_for(office, "read"), URLS["sp_plus"], SP_PLUS).status_code == 403
    assert post(client_for(office, "full"), URLS["sp_plus"], SP_PLUS, key="f").status_code == 201
    anonymous = post(APIClient(), URLS["sp_plus"], SP_PLUS, key="a")
    assert anonymous.status_code == 401
    session = APIClient()
    session.force_login(office.administrator)
    refused = post(session, URLS["sp_plus"], SP_PLUS, key="s")
    assert refused.status_code == 403 and refused.json()["code"] == "token_required"
    assert Case.objects.filter(administration=office.administration).count() == 1


# --- attachments -----------------------------------------------------------------------------


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def test_attachments_in_base64_are_stored_under_random_names(office, media):
    payload = {
        **SP_PLUS,
        "attachments": [
            {"filename": "../../etc/passwd.pdf", "content_base64": _b64(PDF)},
            {"filename": "photo.jpeg", "content_base64": _b64(PNG)},
        ],
    }
    response = post(client_for(office), URLS["sp_plus"], payload)
    assert response.status_code == 201, response.json()
    assert response.json()["attachments"] == 2
    rows = list(Attachment.objects.order_by("pk"))
    assert [r.content_type for r in rows] == ["application/pdf", "image/png"]
    assert rows[1].file.name.endswith(".png")  # the content decides, not the name
    for row in rows:
        assert "passwd" not in row.file.name and ".." not in row.file.name
        path = Path(row.file.path)
        assert path.is_relative_to(media) and path.exists()
    assert Path(rows[0].file.path).read_bytes() == PDF


def test_multipart_attachments(office, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(office).post(
        URLS["sp_question"],
        data={
            "payload": json.dumps(SP_QUESTION),
            "attachments": [SimpleUploadedFile("scan.pdf", PDF, content_type="image/gif")],
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="mp-1",
    )
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)


@pytest.mark.parametrize(
    ("attachments", "message"),
    [
        ([("setup.pdf", EXE)], "setup.pdf"),
        ([("vide.pdf", b"")], "vide.pdf"),
        ([("gros.pdf", PDF + b"x" * 2000)], "gros.pdf"),
        ([(f"f{i}.pdf", PDF) for i in range(4)], "3"),
    ],
)
def test_refused_attachments_are_400_and_nothing_is_written(
    office, media, settings, attachments, message
):
    settings.INTAKE_ATTACHMENT_MAX_BYTES = 1000
    settings.INTAKE_ATTACHMENT_MAX_FILES = 3
    payload = {
        **SP_PLUS,
        "attachments": [{"filename": n, "content_base64": _b64(c)} for n, c in attachments],
    }
    response = post(client_for(office), URLS["sp_plus"], payload)
    assert response.status_code == 400, response.json()
    errors = response.json()["fields"]["attachments"]
    assert any(message in e for e in errors), errors
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert not IntakeDelivery.objects.exists()
    assert not any(media.rglob("*.*"))


def test_openapi_schema_describes_the_intake_endpoints(office):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for url in URLS.values():
        operation = paths[url]["post"]
        assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        assert {"201", "200", "400", "422"} <= set(operation["responses"])
    components = schema["components"]["schemas"]
    assert {"title", "structure", "author"} <= set(
        components["ServicesPublicsPlusExperienceRequest"]["properties"]
    )
    assert "fiche" in components["ServicePublicQuestionRequest"]["properties"]
    assert "demarche" in components["FranceServicesRecordRequest"]["properties"]


def test_attachment_downloads_for_its_administration_only(office, elsewhere, media, client):
    from django.urls import reverse

    from tests.factories import make_member

    payload = {**SP_PLUS, "attachments": [{"filename": "scan.pdf", "content_base64": _b64(PDF)}]}
    response = post(client_for(office), URLS["sp_plus"], payload)
    case = Case.objects.get(reference=response.json()["reference"])
    attachment = Attachment.objects.get(case=case)
    url = reverse("cases:attachment", args=[case.pk, attachment.pk])

    client.force_login(office.agent)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert url in page and "scan.pdf" in page
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF

    client.force_login(make_member(elsewhere, "manager"))
    assert client.get(url).status_code == 404
