"""The answer given at the counter or on the phone, recorded through the API
(``POST /api/v1/cases/<id>/answer-given/``): the page's service, its rules, the API's error
shape, and tenant first."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services as case_services
from cases.models import Case, CaseEvent, Channel, Delivery, Reply, Status
from cases.selectors import reply_skeleton
from tests.factories import make_case

from .conftest import session_client
from .test_cases_api import assert_error

pytestmark = pytest.mark.django_db

ANSWER = (
    "Je lui ai expliqué qu'il faut déclarer la perte sur le compte ameli, puis commander une "
    "nouvelle carte ; ses droits restent ouverts en attendant."
)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/answer-given/"


def _phone_case(tenant, **kwargs) -> Case:
    case = make_case(
        tenant.administration,
        channel=Channel.PHONE,
        usager_email="",
        usager_phone="06 12 34 56 78",
        **kwargs,
    )
    return case_services.case_take(actor=tenant.agent, case=case)


def _assert_nothing_recorded(case: Case, status: str = Status.ASSIGNED) -> None:
    assert not Reply.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == status


def test_an_agent_records_the_answer_given_and_nothing_is_delivered(tenant_a):
    case = _phone_case(tenant_a)
    response = session_client(tenant_a.agent).post(
        _url(case), {"body": ANSWER, "given": "phone", "version": case.version}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "answered" and body["answered_at"]
    assert [(r["body"], r["author"], r["delivery_status"]) for r in body["replies"]] == [
        (ANSWER, tenant_a.agent.pk, None)
    ]
    reply = Reply.objects.get(case=case)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REPLY_SENT)
    assert event.actor_id == tenant_a.agent.pk
    assert event.data == {"reply_id": reply.pk, "given": "phone"}
    assert not Delivery.objects.exists()


def test_a_full_token_records_it_as_its_creator(tenant_a, principals):
    # The token's creator is the administration's administrator, who may answer any case.
    case = _phone_case(tenant_a)
    response = principals["token_full"].client.post(
        _url(case), {"body": ANSWER, "given": "counter"}, format="json"
    )
    assert response.status_code == 200, response.content
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REPLY_SENT)
    assert event.data["given"] == "counter"
    assert event.actor_id == tenant_a.administrator.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ANSWER}, "given"),
        ({"body": ANSWER, "given": "pigeon"}, "given"),
        ({"body": ANSWER, "given": ""}, "given"),
        ({"given": "phone"}, "body"),
        ({"body": "", "given": "phone"}, "body"),
        ({"body": "a\x00b", "given": "phone"}, "body"),
        ({"body": ANSWER, "given": "phone", "version": 0}, "version"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(tenant_a, payload, field):
    case = _phone_case(tenant_a)
    response = session_client(tenant_a.agent).post(_url(case), payload, format="json")
    assert_error(response, 400, field)
    _assert_nothing_recorded(case)


def test_the_given_field_is_explained_in_words(tenant_a):
    case = _phone_case(tenant_a)
    response = session_client(tenant_a.agent).post(
        _url(case), {"body": ANSWER, "given": "letter"}, format="json"
    )
    assert_error(response, 400, "given")
    # The page's own words (the API speaks French by default).
    assert "à l'accueil ou par téléphone" in response.json()["fields"]["given"][0]


def test_the_services_rules_answer_in_the_api_shape(tenant_a):
    """Courtesy alone, a stale version, an answered case: the page's refusals, per field."""
    case = _phone_case(tenant_a)
    client = session_client(tenant_a.agent)
    skeleton = client.post(
        _url(case), {"body": reply_skeleton(case), "given": "phone"}, format="json"
    )
    assert_error(skeleton, 400, "body")
    stale = client.post(
        _url(case), {"body": ANSWER, "given": "phone", "version": case.version + 3}, format="json"
    )
    assert_error(stale, 400, "version")
    _assert_nothing_recorded(case)

    done = client.post(_url(case), {"body": ANSWER, "given": "phone"}, format="json")
    assert done.status_code == 200
    again = client.post(_url(case), {"body": ANSWER, "given": "phone"}, format="json")
    assert_error(again, 400, "status")
    assert Reply.objects.filter(case=case).count() == 1


def test_a_case_of_another_administration_is_404_and_untouched(tenant_a, tenant_b, principals):
    foreign = _phone_case(tenant_b)
    for client in (session_client(tenant_a.administrator), principals["token_full"].client):
        response = client.post(_url(foreign), {"body": ANSWER, "given": "phone"}, format="json")
        assert_error(response, 404)
    missing = session_client(tenant_a.agent).post(
        "/api/v1/cases/2147483647/answer-given/", {"body": ANSWER, "given": "phone"}, format="json"
    )
    assert_error(missing, 404)
    _assert_nothing_recorded(foreign)


def test_a_colleagues_case_and_a_read_token_are_403(tenant_a, principals):
    case = _phone_case(tenant_a)
    colleague = session_client(tenant_a.agent2).post(
        _url(case), {"body": ANSWER, "given": "phone"}, format="json"
    )
    assert_error(colleague, 403)
    read = principals["token_read"].client.post(
        _url(case), {"body": ANSWER, "given": "phone"}, format="json"
    )
    assert_error(read, 403)
    _assert_nothing_recorded(case)


def test_a_file_given_with_the_answer_is_kept_with_it(tenant_a):
    case = _phone_case(tenant_a)
    response = session_client(tenant_a.agent).post(
        _url(case),
        {
            "body": ANSWER,
            "given": "counter",
            "attachments": [SimpleUploadedFile("formulaire.pdf", PDF, "application/pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert [a["name"] for a in response.json()["replies"][0]["attachments"]] == ["formulaire.pdf"]
    assert not Delivery.objects.exists()


def test_a_refused_file_names_the_field_and_records_nothing(tenant_a):
    case = _phone_case(tenant_a)
    response = session_client(tenant_a.agent).post(
        _url(case),
        {
            "body": ANSWER,
            "given": "counter",
            "attachments": [SimpleUploadedFile("script.exe", b"MZ\x90\x00", "text/plain")],
        },
        format="multipart",
    )
    assert_error(response, 400, "attachments")
    _assert_nothing_recorded(case)


def test_the_schema_documents_the_operation(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/cases/{id}/answer-given/"]["post"]
    assert "400" in operation["responses"] and "404" in operation["responses"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(request["required"]) == {"body", "given"}
    given = request["properties"]["given"]
    enum = given.get("enum") or schema["components"]["schemas"][
        given["allOf"][0]["$ref"].rsplit("/", 1)[-1]
    ].get("enum")
    assert set(enum) == {"counter", "phone"}
