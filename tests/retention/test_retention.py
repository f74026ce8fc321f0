"""Retention and rights requests: what the purge and an erasure remove, what they keep (the
dashboards' and the impact report's figures, equal before and after), the journal, and the
administrator's page and API (door rules, tenant scope)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from cases import services as case_services
from cases.audit_actions import CasesAuditAction
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    InternalNote,
    Reply,
    SatisfactionResponse,
    Status,
)
from cases.retention.holders import ANONYMISED_SUBJECT
from cases.retention.models import RetentionPolicy
from cases.retention.services import retention_purge
from cases.services.journal import REDACTED
from drafting.models import Suggestion
from tests.drafting.test_impact import adoption_data, make_period, satisfaction_data
from tests.factories import make_case

EMAIL = "camille.martin@example.org"
ERROR_KEYS = {"detail", "code", "fields"}


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def handled_case(tenant, **kwargs) -> Case:
    """A case through the services: usager message, note, reply, attachment, then closed."""
    case = make_case(tenant.administration, **kwargs)
    case_services.case_take(actor=tenant.agent, case=case)
    case.refresh_from_db()
    case_services.case_add_usager_message(
        case=case, body="Mon numéro fiscal est 1234567890123.", source="email"
    )
    case_services.case_add_note(actor=tenant.agent, case=case, body="Mme Martin a rappelé.")
    case.refresh_from_db()
    case_services.case_send_reply(
        actor=tenant.agent, case=case, body="Bonjour Madame Martin, voici la réponse."
    )
    Attachment.objects.create(
        case=case,
        file=ContentFile(b"%PDF-1.4 avis", name="avis.pdf"),
        original_name="avis-impot-martin.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    case.refresh_from_db()
    case_services.case_transition(actor=tenant.agent, case=case, action="close")
    case.refresh_from_db()
    return case


def reports(tenant, period) -> tuple[dict, dict]:
    cache.clear()
    client = api(tenant.manager)
    dashboard = client.get("/api/v1/dashboard/workload/")
    impact = client.get("/api/v1/impact/", {"period": period.pk})
    assert dashboard.status_code == 200 and impact.status_code == 200
    return _figures(dashboard.json()), _figures(impact.json())


def _figures(value):
    """The report without the moment it was computed."""
    if isinstance(value, dict):
        return {k: _figures(v) for k, v in value.items() if k not in {"computed_at"}}
    if isinstance(value, list):
        return [_figures(v) for v in value]
    return value


def test_purge_anonymises_the_usager_data_and_keeps_every_figure(
    tenants, media, django_capture_on_commit_callbacks
):
    tenant, other = tenants[0], tenants[1]
    period = make_period(tenant)
    satisfaction_data(tenant, period, per_arm=6)
    adoption_data(tenant, period)
    Case.objects.filter(administration=tenant.administration).update(
        status=Status.CLOSED, closed_at=timezone.now()
    )
    SatisfactionResponse.objects.filter(administration=tenant.administration).update(
        comment="Merci, Camille Martin"
    )
    Suggestion.objects.filter(administration=tenant.administration).update(
        text="Bonjour Madame Martin", discard_comment="nom du fils"
    )
    handled = handled_case(tenant)
    still_open = make_case(tenant.administration)
    elsewhere = handled_case(other)
    attachment = Attachment.objects.get(case=handled)
    path = media / attachment.file.name
    assert path.exists()
    events_before = CaseEvent.objects.filter(case=handled).count()
    before = reports(tenant, period)
    purged_cases = Case.objects.filter(administration=tenant.administration, status=Status.CLOSED)
    expected = purged_cases.count()

    later = timezone.now() + dt.timedelta(days=731)
    RetentionPolicy.objects.create(administration=other.administration, closed_case_days=3650)
    # Resumable: one batch of three, then the rest.
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        assert retention_purge(now=later, batch_size=3, max_batches=1) == 3
        assert retention_purge(now=later, batch_size=3) == expected - 3
        assert retention_purge(now=later) == 0  # idempotent

    assert before == reports(tenant, period)  # every figure of both reports, equal
    assert not purged_cases.filter(anonymised_at__isnull=True).exists()
    handled.refresh_from_db()
    assert (handled.subject, handled.body) == (ANONYMISED_SUBJECT, "")
    assert (handled.usager_name, handled.usager_email, handled.usager_phone) == ("", "", "")
    assert handled.channel and handled.answered_at and handled.status == Status.CLOSED
    assert set(Reply.objects.filter(case=handled).values_list("body", flat=True)) == {""}
    assert set(InternalNote.objects.filter(case=handled).values_list("body", flat=True)) == {""}
    assert not Attachment.objects.filter(case=handled).exists()
    assert not path.exists()
    assert (
        not SatisfactionResponse.objects.filter(administration=tenant.administration)
        .exclude(comment="")
        .exists()
    )
    assert SatisfactionResponse.objects.filter(administration=tenant.administration).count() == 12
    suggestions = Suggestion.objects.filter(administration=tenant.administration)
    assert set(suggestions.values_list("text", "discard_comment")) == {("", "")}
    # The journal keeps every entry, without the usager's words.
    events = CaseEvent.objects.filter(case=handled)
    assert events.count() == events_before
    message = events.get(kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert message.data["body"] == REDACTED and message.data["source"] == "email"
    assert "1234567890123" not in json.dumps(list(events.values_list("data", flat=True)))
    # Journaled per batch, without any usager identifier.
    entries = AuditEntry.objects.filter(
        administration=tenant.administration, action=CasesAuditAction.RETENTION_ANONYMISED
    )
    assert sum(entry.data["cases"] for entry in entries) == expected
    assert EMAIL not in json.dumps(list(entries.values_list("data", "target_label")))
    # Not yet due: an open case, another administration with a longer period.
    still_open.refresh_from_db()
    elsewhere.refresh_from_db()
    assert still_open.anonymised_at is None and still_open.usager_email == EMAIL
    assert elsewhere.anonymised_at is None and elsewhere.body


def test_a_case_closed_recently_is_kept(tenant_a, media):
    case = handled_case(tenant_a)
    assert retention_purge(now=timezone.now() + dt.timedelta(days=729)) == 0
    assert retention_purge(now=timezone.now() + dt.timedelta(days=731)) == 1
    case.refresh_from_db()
    assert case.anonymised_at is not None


def test_the_journal_refuses_any_other_update(tenant_a):
    from django.db import DatabaseError, connection, transaction

    case = make_case(tenant_a.administration)
    event = CaseEvent.objects.filter(case=case).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET data = '{}'::jsonb WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('guichet.journal_redaction', 'on', true)")
        cursor.execute("UPDATE cases_caseevent SET kind = 'closed' WHERE id = %s", [event.pk])


# --- rights requests ------------------------------------------------------------------------


def _zip(content: bytes) -> tuple[dict, list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("data.json")), archive.namelist()


def test_administrator_exports_and_erases_through_the_page(client, tenants, media):
    tenant, other = tenants[0], tenants[1]
    case = handled_case(tenant)
    foreign = handled_case(other)  # the same usager in another administration
    url = reverse("cases:rights")
    client.force_login(tenant.administrator)
    assert client.get(url).status_code == 200

    response = client.post(url, {"identifier": EMAIL.upper(), "action": "export"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data, names = _zip(response.content)
    assert data["cases"] == 1
    assert [row["reference"] for row in data["tables"]["cases.Case"]] == [case.reference]
    assert data["tables"]["cases.Reply"][0]["body"].startswith("Bonjour Madame Martin")
    assert any(name.startswith("attachments/") for name in names)
    assert foreign.reference not in json.dumps(data)

    refused = client.post(url, {"identifier": EMAIL, "action": "erase", "reason": ""})
    assert refused.status_code == 400
    response = client.post(
        url, {"identifier": EMAIL, "action": "erase", "reason": "Demande écrite du 2 mars"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    foreign.refresh_from_db()
    assert case.anonymised_at is not None and case.usager_email == ""
    assert foreign.anonymised_at is None and foreign.usager_email == EMAIL
    entries = AuditEntry.objects.filter(administration=tenant.administration, category="rights")
    assert set(entries.values_list("action", flat=True)) == {
        CasesAuditAction.RIGHTS_EXPORTED,
        CasesAuditAction.RIGHTS_ERASED,
    }
    erased = entries.get(action=CasesAuditAction.RIGHTS_ERASED)
    assert erased.data["reason"] == "Demande écrite du 2 mars"
    assert EMAIL not in json.dumps(list(entries.values_list("data", "target_label")))


def test_erasure_waits_for_open_cases_and_agents_have_no_access(client, tenant_a):
    case = make_case(tenant_a.administration)
    client.force_login(tenant_a.agent)
    assert client.get(reverse("cases:rights")).status_code == 403
    response = api(tenant_a.administrator).post(
        "/api/v1/rights/erase/", {"identifier": EMAIL, "reason": "Demande"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert case.reference in json.dumps(response.json())
    case.refresh_from_db()
    assert case.anonymised_at is None


def test_rights_api(tenants, media):
    tenant, other = tenants[0], tenants[1]
    case = handled_case(tenant, usager_phone="0601020304")
    assert api(tenant.agent).post("/api/v1/rights/export/", {"identifier": EMAIL}).status_code == (
        403
    )
    assert APIClient().post("/api/v1/rights/export/", {"identifier": EMAIL}).status_code == 401
    response = api(tenant.administrator).post(
        "/api/v1/rights/export/", {"identifier": "0601020304"}, format="json"
    )
    assert response.status_code == 200
    data, _names = _zip(response.content)
    assert data["cases"] == 1
    # Another administration's administrator finds nothing of this usager here.
    response = api(other.administrator).post(
        "/api/v1/rights/export/", {"identifier": "0601020304"}, format="json"
    )
    assert _zip(response.content)[0]["cases"] == 0
    missing = api(tenant.administrator).post(
        "/api/v1/rights/erase/", {"identifier": case.reference}, format="json"
    )
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    done = api(tenant.administrator).post(
        "/api/v1/rights/erase/",
        {"identifier": case.reference, "reason": "Demande par courrier"},
        format="json",
    )
    assert done.status_code == 200 and done.json() == {"cases": 1}
    case.refresh_from_db()
    assert case.usager_phone == "" and case.anonymised_at is not None


def test_retention_period_api_and_bounds(tenant_a):
    url = "/api/v1/administration/retention/"
    client = api(tenant_a.administrator)
    assert client.get(url).json() == {"closed_case_days": 730, "default_days": 730}
    bad = client.put(url, {"closed_case_days": 5}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == ERROR_KEYS
    assert (
        client.put(url, {"closed_case_days": 365}, format="json").json()["closed_case_days"] == 365
    )
    assert api(tenant_a.manager).get(url).status_code == 403
    assert AuditEntry.objects.filter(action=CasesAuditAction.RETENTION_CHANGED).count() == 1
