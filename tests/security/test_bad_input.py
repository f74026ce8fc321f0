"""Bad input is never a 500: nested or oversized JSON on every JSON endpoint answered in the
API's error shape; 5 MB attachments accepted in JSON (base64) and multipart intake; dates
outside a sensible range refused with a field error (intake and knowledge import)."""

from __future__ import annotations

import json
import re

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from cases.models import Case
from drafting.knowledge import KnowledgeFileError, read_knowledge_file
from tests.factories import make_case
from tests.test_access_rules import routed_views

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
MB = 1024 * 1024
SP_PLUS = {
    "id": "exp-1",
    "title": "Attente de trois mois pour ma prime d'activité",
    "description": "J'ai déposé ma demande en juin et je n'ai toujours aucune réponse.",
    "structure": {"name": "Caisse d'allocations familiales du Rhône"},
    "author": {"first_name": "Camille", "last_name": "Martin", "email": "camille@example.org"},
}
INTAKE = "/api/v1/intake/services-publics-plus/"


def _token_client(tenant, scope: str) -> APIClient:
    _token, key = api_token_create(
        actor=tenant.administrator, administration=tenant.administration, name=scope, scope=scope
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _assert_error_shape(url: str, response, status: int | None = None) -> dict:
    assert response.status_code != 500, url
    if status is not None:
        assert response.status_code == status, (url, response.status_code, response.content[:300])
    body = json.loads(response.content)
    assert set(body) == {"detail", "code", "fields"}, (url, body)
    return body


def _api_routes(pk: int) -> list[str]:
    urls = set()
    for route, _pattern in routed_views():
        if route.startswith("api/v1/"):
            urls.add("/" + PARAMETER.sub(lambda m: str(pk) if m.group(1) == "int" else "x", route))
    return sorted(urls)


def test_deeply_nested_json_is_a_400_on_every_json_endpoint(tenant_a):
    case = make_case(tenant_a.administration)
    session = APIClient()
    session.force_login(tenant_a.administrator)
    clients = {"token full": _token_client(tenant_a, "full"), "session": session}
    clients["token intake"] = _token_client(tenant_a, "intake")
    deep = "[" * 100_000 + "]" * 100_000
    moderately_deep = json.dumps({"title": json.loads("[" * 200 + "]" * 200)})
    urls = _api_routes(case.pk)
    assert len(urls) > 20
    parsed = 0
    for name, client in clients.items():
        for url in urls:
            for method in ("post", "put", "patch"):
                for body in (deep, moderately_deep):
                    response = getattr(client, method)(
                        url, data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
                    )
                    assert response.status_code != 500, (name, method, url)
                    if response.status_code == 400:
                        body_json = _assert_error_shape(url, response)
                        if body_json["code"] == "parse_error":
                            parsed += 1
                            assert "imbriqué" in body_json["detail"], body_json
    # The endpoints that read a body did parse it, and refused it (not a 500, not accepted).
    assert parsed > 20


def test_an_oversized_json_body_is_a_413_in_the_api_shape(tenant_a, settings):
    settings.API_JSON_MAX_BYTES = 64 * 1024
    client = _token_client(tenant_a, "full")
    response = client.post(
        "/api/v1/answers/",
        data=json.dumps({"title": "x" * (128 * 1024)}),
        content_type="application/json",
    )
    body = _assert_error_shape("/api/v1/answers/", response, 413)
    assert body["code"] == "too_large"


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.7\n1 0 obj<<>>endobj\n"
    tail = b"\ntrailer<<>>\n%%EOF\n"
    return head + b"0" * (size - len(head) - len(tail)) + tail


def test_a_5_mb_pdf_is_accepted_in_json_base64(tenant_a, settings, tmp_path):
    import base64

    settings.MEDIA_ROOT = tmp_path
    pdf = _pdf(5 * MB)
    payload = {
        **SP_PLUS,
        "attachments": [{"filename": "avis.pdf", "content_base64": base64.b64encode(pdf).decode()}],
    }
    body = json.dumps(payload)
    assert len(body) > 6.5 * MB
    response = _token_client(tenant_a, "intake").post(
        INTAKE, data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="json-5mb"
    )
    assert response.status_code == 201, response.content[:500]
    case = Case.objects.get(reference=response.json()["reference"])
    attachment = case.attachments.get()
    assert attachment.size == len(pdf)


def test_a_5_mb_pdf_is_accepted_in_multipart(tenant_a, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    pdf = _pdf(5 * MB)
    response = _token_client(tenant_a, "intake").post(
        INTAKE,
        data={
            "payload": json.dumps(SP_PLUS),
            "attachments": [SimpleUploadedFile("avis.pdf", pdf, "application/pdf")],
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="multipart-5mb",
    )
    assert response.status_code == 201, response.content[:500]
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.attachments.get().size == len(pdf)


def test_a_pdf_over_5_mb_is_refused_with_a_field_error(tenant_a, settings, tmp_path):
    import base64

    settings.MEDIA_ROOT = tmp_path
    pdf = _pdf(5 * MB + 1)
    payload = {
        **SP_PLUS,
        "attachments": [{"filename": "avis.pdf", "content_base64": base64.b64encode(pdf).decode()}],
    }
    response = _token_client(tenant_a, "intake").post(
        INTAKE,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="big",
    )
    body = _assert_error_shape(INTAKE, response, 400)
    assert any(key.startswith("attachments") for key in body["fields"]), body
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published_at", "0001-01-01T00:00:00Z"),
        ("published_at", "1899-12-31T10:00:00+01:00"),
        ("published_at", "2999-01-01T00:00:00Z"),
        ("experience_date", "0001-01-01"),
    ],
)
def test_intake_dates_outside_the_range_are_field_errors(tenant_a, field, value):
    response = _token_client(tenant_a, "intake").post(
        INTAKE,
        data=json.dumps({**SP_PLUS, field: value}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=f"date-{field}-{value}",
    )
    body = _assert_error_shape(INTAKE, response, 400)
    assert field in body["fields"], body
    assert "Indiquez une date entre" in body["fields"][field][0]
    assert not Case.objects.exists()


def test_a_recent_publication_date_numbers_the_case_with_its_year(tenant_a):
    response = _token_client(tenant_a, "intake").post(
        INTAKE,
        data=json.dumps({**SP_PLUS, "published_at": "2024-03-01T09:00:00+01:00"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="date-ok",
    )
    assert response.status_code == 201
    assert "-2024-" in response.json()["reference"]


def test_knowledge_import_refuses_a_year_1_date(tmp_path):
    fiche = tmp_path / "fiche.md"
    fiche.write_text(
        "---\nexternal_id: GUI-T9\ntitle: Une fiche\ntopic: famille\n"
        "source_url: https://guichet.example.gouv.fr/f\nupdated: 0001-01-01\n---\nDu texte.\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeFileError, match="Indiquez une date entre"):
        read_knowledge_file(fiche)
