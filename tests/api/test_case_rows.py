"""The hand-written case list and detail (cases/api/rows.py) render exactly what the serializers
(which describe them in the schema) render: field by field, in the same order, to the same
JSON bytes, on varied cases (nulls, unicode, assigned or not, with or without a draft,
answered, closed, transferred, a user without a name), in two time zones."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from cases import selectors, services
from cases.api import rows
from cases.api.serializers import CaseDetailSerializer, CaseListSerializer
from cases.models import Case, Priority
from cases.services.reply_attachments import uploaded_files
from drafting.models import Suggestion
from tests.factories import make_case, make_member, make_topic

from .conftest import session_client, token_client

pytestmark = pytest.mark.django_db

UNICODE = 'Œuvre d’été — « ça » ✓ 𝄞 \u2028 fin\u2029 <b>&amp;</b> "quotes" \\ \t'


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def varied(tenant_a, tenant_b, settings, tmp_path, django_capture_on_commit_callbacks):
    """Cases of tenant A in many shapes; returns them with the users who look at them."""
    administration = tenant_a.administration
    topic = make_topic(administration, name="État civil — « Œ »")
    nameless = make_member(administration, first_name="", last_name="")
    with django_capture_on_commit_callbacks(execute=True):  # these two get a draft
        drafted = [make_case(administration), make_case(administration, topic=topic)]
    cases = [
        drafted[0],  # the queue: no topic, no assignee
        make_case(
            administration,
            subject=UNICODE,
            body=UNICODE * 3,
            usager_name="",
            usager_email="",
            usager_phone="",
            topic=topic,
            priority=Priority.URGENT,
        ),
        drafted[1],
        make_case(administration, subject="Pour quelqu'un sans nom"),
        make_case(administration, subject="Répondue"),
        make_case(administration, subject="Close"),
        make_case(administration, subject="À transférer"),
    ]
    services.case_take(actor=tenant_a.agent, case=cases[2])
    services.case_assign(actor=tenant_a.manager, case=cases[3], assignee=nameless)
    services.case_take(actor=tenant_a.agent, case=cases[4])
    settings.MEDIA_ROOT = tmp_path
    services.case_send_reply(
        actor=tenant_a.agent,
        case=cases[4],
        body="Voici la réponse, « ci-jointe ».",
        files=uploaded_files([SimpleUploadedFile("formulaire Cerfa.pdf", PDF)]),
    )
    services.case_transition(actor=tenant_a.agent, case=cases[4], action="reopen", reason="")
    services.case_send_reply(actor=tenant_a.agent, case=cases[4], body=UNICODE)
    services.case_take(actor=tenant_a.agent2, case=cases[5])
    services.case_transition(actor=tenant_a.manager, case=cases[5], action="close", reason="")
    services.case_transfer(
        actor=tenant_a.manager,
        case=cases[6],
        target_administration=tenant_b.administration,
        reason="Compétence de l'autre administration",
    )
    transferred = Case.objects.get(transferred_from=cases[6])
    return SimpleNamespace(
        cases=[Case.objects.get(pk=c.pk) for c in cases],
        transferred=transferred,
        viewers=[tenant_a.agent, tenant_a.agent2, tenant_a.manager, tenant_a.administrator],
        nameless=nameless,
    )


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def assert_same(fast: dict, slow: dict) -> None:
    assert list(fast) == list(slow)
    for field in slow:
        assert fast[field] == slow[field], field
        assert type(fast[field]) is type(slow[field]), field
    assert rendered(fast) == rendered(slow)


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC"])
def test_list_rows_are_the_serializer_s(varied, tenant_a, zone):
    drafted = Suggestion.objects.filter(case__in=varied.cases).values_list("case", flat=True)
    assert 0 < len(set(drafted)) < len(varied.cases)  # with and without a draft
    assert Case.objects.filter(pk__in=[c.pk for c in varied.cases], topic=None).exists()
    names = set()
    with timezone.override(zone):
        for user in varied.viewers:
            for box in ("all", "queue", "mine"):
                filters = selectors.InboxFilters(box=box)
                qs = selectors.inbox(user, tenant_a.administration, filters)
                slow = CaseListSerializer(qs, many=True).data
                fast = rows.list_rows(list(qs.values(*selectors.ROW_VALUES)))
                assert len(fast) == len(slow)
                for fast_row, slow_row in zip(fast, slow, strict=True):
                    assert_same(fast_row, dict(slow_row))
                names.update(row["assignee_name"] for row in fast)
    assert varied.nameless.email in names  # a user without a name shows their e-mail
    assert None in names


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC"])
def test_case_detail_is_the_serializer_s(varied, tenant_a, zone):
    with timezone.override(zone):
        for user in varied.viewers:
            for case in varied.cases:
                case = selectors.case_get(user, pk=case.pk)
                request = SimpleNamespace(user=user)
                slow = CaseDetailSerializer(case, context={"request": request}).data
                assert_same(rows.case_detail(case, user), dict(slow))
        # Without a request, no abilities, like the serializer without one.
        case = selectors.case_get(tenant_a.manager, pk=varied.cases[0].pk)
        assert_same(rows.case_detail(case, None), dict(CaseDetailSerializer(case).data))
    details = [rows.case_detail(c, tenant_a.manager) for c in varied.cases]
    assert any(d["closed_at"] for d in details)
    assert any(d["answered_at"] for d in details)
    assert any(d["transferred_from"] is None for d in details)


def test_the_api_answers_the_serializer_s_bytes(varied, tenant_a, tenant_b):
    """End to end: the list and the detail the API sends are the serializers' JSON."""
    client = session_client(tenant_a.manager)
    body = client.get("/api/v1/cases/?size=200").json()
    qs = selectors.inbox(tenant_a.manager, tenant_a.administration, selectors.InboxFilters("all"))
    assert body["results"] == json.loads(rendered(CaseListSerializer(qs, many=True).data))
    for case in varied.cases:
        response = client.get(f"/api/v1/cases/{case.pk}/")
        slow = CaseDetailSerializer(
            selectors.case_get(tenant_a.manager, pk=case.pk),
            context={"request": SimpleNamespace(user=tenant_a.manager)},
        ).data
        assert response.content == rendered(slow)
    # The transferred case, read in its new administration by a token of that administration.
    from accounts.tokens import api_token_create

    _token, key = api_token_create(
        actor=tenant_b.administrator,
        administration=tenant_b.administration,
        name="Lecture",
        scope="read",
    )
    response = token_client(key).get(f"/api/v1/cases/{varied.transferred.pk}/")
    assert response.status_code == 200
    assert response.json()["transferred_from"] == varied.cases[6].pk


def test_datetimes_render_like_drf(settings):
    value = dt.datetime(2026, 3, 29, 0, 30, 0, 123456, tzinfo=dt.UTC)
    from rest_framework.fields import DateTimeField

    for zone in ("Europe/Paris", "UTC", "America/Cayenne"):
        with timezone.override(zone):
            field = DateTimeField()
            assert rows.iso(value, timezone.get_current_timezone()) == field.to_representation(
                value
            )
    assert rows.iso(None, dt.UTC) is None


def test_the_detail_lists_the_replies_with_their_files_and_delivery(varied, tenant_a):
    from cases.models import Reply

    case = varied.cases[4]
    response = session_client(tenant_a.agent).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    replies = response.json()["replies"]
    expected = list(Reply.objects.filter(case=case).order_by("created_at", "id"))
    assert [r["id"] for r in replies] == [r.pk for r in expected]
    first, second = replies
    assert first["author"] == tenant_a.agent.pk
    assert first["author_name"] == tenant_a.agent.display_name
    assert first["body"] == "Voici la réponse, « ci-jointe »."
    assert first["attachments"] == [
        {
            "id": first["attachments"][0]["id"],
            "name": "formulaire Cerfa.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
        }
    ]
    assert second["body"] == UNICODE.strip() and second["attachments"] == []
    assert {r["delivery_status"] for r in replies} <= {"pending", "sending", "delivered", "failed"}
    statuses = {r.pk: r.delivery.status for r in expected}
    assert [r["delivery_status"] for r in replies] == [statuses[r["id"]] for r in replies]
    # A case without replies lists none; the replies cost two queries whatever their number.
    assert (
        session_client(tenant_a.agent).get(f"/api/v1/cases/{varied.cases[0].pk}/").json()["replies"]
        == []
    )


def test_the_schema_describes_the_replies(tenant_a):
    schema = (
        session_client(tenant_a.agent)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    detail = schema["components"]["schemas"]["CaseDetail"]
    assert "replies" in detail["properties"] and "replies" in detail["required"]
    reply = schema["components"]["schemas"]["CaseReply"]
    assert set(reply["properties"]) == {
        "id",
        "created_at",
        "author",
        "author_name",
        "body",
        "attachments",
        "delivery_status",
    }
    assert reply["properties"]["delivery_status"]["nullable"] is True
