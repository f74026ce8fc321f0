"""The administrators' experiment page and API: start, change, stop; frozen periods, journal,
refusals, tenancy; and the drafting pipeline using the running period's backend and model."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from accounts.middleware import SESSION_KEY
from accounts.models import AuditEntry, Enrolment, Role
from accounts.services import enrolment_withdraw
from drafting.experiment import selectors as experiment_selectors
from drafting.experiment import services as experiment_services
from drafting.models import CaseArm, ExperimentPeriod, Suggestion
from tests.drafting.openai_server import FakeOpenAI
from tests.factories import make_administration, make_case, make_member

pytestmark = pytest.mark.django_db

PAGE = "/brouillons/experience/"
STOP = "/brouillons/experience/arret/"
API = "/api/v1/experiment/"
API_STOP = "/api/v1/experiment/stop/"


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.DRAFTING_BACKEND = "offline"
    settings.DRAFTING_OPENAI_BASE_URL = ""
    settings.DRAFTING_BACKENDS_OFFERED = [("offline", "")]


def signed_in(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def audit(administration, action=None):
    rows = AuditEntry.objects.filter(
        administration=administration, category=AuditEntry.Category.EXPERIMENT
    )
    return rows.filter(action=action) if action else rows


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_that_nothing_runs_and_offers_the_offline_backend(tenant_a):
    response = signed_in(tenant_a.administrator).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="not-running"' in html
    assert 'value="offline:"' in html
    assert "No experiment has been run yet." in html


def test_starting_from_the_page_creates_a_period_and_journals_it(tenant_a):
    client = signed_in(tenant_a.administrator)
    response = client.post(PAGE, {"assisted_percent": "40", "backend": "offline:"})
    assert response.status_code == 302
    period = ExperimentPeriod.objects.get(administration=tenant_a.administration)
    assert period.assisted_share == Decimal("0.40")
    assert period.backend == "offline" and period.ended_at is None
    assert period.started_by == tenant_a.administrator
    entry = audit(tenant_a.administration).get()
    assert entry.action == "experiment.started"
    assert entry.actor == tenant_a.administrator
    assert entry.data["before"] is None
    assert Decimal(entry.data["after"]["assisted_share"]) == Decimal("0.4")
    html = client.get(PAGE).content.decode()
    assert 'id="running-share"' in html and "40 %" in html
    assert "per case" in html


def test_changing_the_set_up_freezes_the_running_period_and_starts_a_new_one(
    tenant_a, django_capture_on_commit_callbacks
):
    client = signed_in(tenant_a.administrator)
    client.post(PAGE, {"assisted_percent": "50", "backend": "offline:"})
    first = ExperimentPeriod.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        early = make_case(tenant_a.administration)
    response = client.post(PAGE, {"assisted_percent": "70", "backend": "offline:"})
    assert response.status_code == 302
    first.refresh_from_db()
    second = ExperimentPeriod.objects.exclude(pk=first.pk).get()
    assert first.ended_at is not None and first.assisted_share == Decimal("0.5")
    assert second.ended_at is None and second.assisted_share == Decimal("0.7")
    assert first.ended_at == second.started_at
    assert CaseArm.objects.get(case=early).period == first
    entry = audit(tenant_a.administration, "experiment.reconfigured").get()
    assert entry.data["before"]["period"] == first.pk
    assert entry.data["after"]["period"] == second.pk
    # The history lists both periods.
    html = client.get(PAGE).content.decode()
    assert f'data-period="{first.pk}"' in html and f'data-period="{second.pk}"' in html


def test_the_same_set_up_again_is_refused_and_changes_nothing(tenant_a):
    client = signed_in(tenant_a.administrator)
    client.post(PAGE, {"assisted_percent": "50", "backend": "offline:"})
    response = client.post(PAGE, {"assisted_percent": "50", "backend": "offline:"})
    assert response.status_code == 400
    assert "already the running set-up" in response.content.decode()
    assert ExperimentPeriod.objects.count() == 1


def test_stopping_ends_the_period_and_deletes_nothing(tenant_a, django_capture_on_commit_callbacks):
    client = signed_in(tenant_a.administrator)
    client.post(PAGE, {"assisted_percent": "50", "backend": "offline:"})
    with django_capture_on_commit_callbacks(execute=True):
        cases = [make_case(tenant_a.administration) for _ in range(4)]
    arms_before = CaseArm.objects.count()
    suggestions_before = Suggestion.objects.count()
    assert arms_before == 4
    response = client.post(STOP, {"confirm": "1"})
    assert response.status_code == 302
    period = ExperimentPeriod.objects.get()
    assert period.ended_at is not None
    assert CaseArm.objects.count() == arms_before
    assert Suggestion.objects.count() == suggestions_before
    assert experiment_selectors.running_period(tenant_a.administration.pk) is None
    entry = audit(tenant_a.administration, "experiment.stopped").get()
    assert entry.data["before"]["period"] == period.pk and entry.data["after"] is None
    # A case created afterwards is not drawn.
    with django_capture_on_commit_callbacks(execute=True):
        later = make_case(tenant_a.administration)
    assert not CaseArm.objects.filter(case=later).exists()
    assert len(cases) == 4
    # Stopping again says so, and writes nothing.
    response = client.post(STOP, {"confirm": "1"}, follow=True)
    assert "No experiment is running." in response.content.decode()
    assert audit(tenant_a.administration, "experiment.stopped").count() == 1


def test_starting_with_no_approved_volunteer_is_refused_with_a_clear_message():
    administration = make_administration("Mairie de Tulle", code="TULLE")
    administrator = make_member(administration, Role.ADMINISTRATOR)
    make_member(administration, Role.AGENT)
    client = signed_in(administrator)
    response = client.post(PAGE, {"assisted_percent": "50", "backend": "offline:"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "no agent of this administration is an approved volunteer" in html
    assert 'id="no-volunteer"' in html
    assert not ExperimentPeriod.objects.exists()
    api = client.post(API, {"assisted_percent": 50, "backend": "offline"}, "application/json")
    assert api.status_code == 400
    assert api.json()["code"] == "invalid"
    assert "assisted_percent" in api.json()["fields"]
    assert not ExperimentPeriod.objects.exists()
    assert not audit(administration).exists()


def test_a_withdrawn_volunteer_does_not_count(tenant_a):
    for enrolment in Enrolment.objects.filter(administration=tenant_a.administration):
        enrolment_withdraw(actor=enrolment.user, enrolment=enrolment)
    response = signed_in(tenant_a.administrator).post(
        PAGE, {"assisted_percent": "50", "backend": "offline:"}
    )
    assert response.status_code == 400
    assert not ExperimentPeriod.objects.exists()


@pytest.mark.parametrize("percent", ["0", "100", "-5", "50.5", "abc", ""])
def test_a_share_outside_1_to_99_percent_is_refused(tenant_a, percent):
    response = signed_in(tenant_a.administrator).post(
        PAGE, {"assisted_percent": percent, "backend": "offline:"}
    )
    assert response.status_code == 400
    assert "fr-error-text" in response.content.decode()
    assert not ExperimentPeriod.objects.exists()


def test_a_backend_the_platform_does_not_offer_is_refused(tenant_a):
    client = signed_in(tenant_a.administrator)
    response = client.post(PAGE, {"assisted_percent": "50", "backend": "openai:gpt-5"})
    assert response.status_code == 400
    api = client.post(
        API,
        {"assisted_percent": 50, "backend": "openai", "model_name": "gpt-5"},
        "application/json",
    )
    assert api.status_code == 400 and "backend" in api.json()["fields"]
    assert not ExperimentPeriod.objects.exists()


def test_the_offered_models_follow_the_configured_endpoint(tenant_a, settings):
    settings.DRAFTING_OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    settings.DRAFTING_BACKENDS_OFFERED = [
        ("offline", ""),
        ("openai", "albert-large"),
        ("openai", "albert-small"),
    ]
    client = signed_in(tenant_a.administrator)
    html = client.get(PAGE).content.decode()
    assert 'value="openai:albert-large"' in html and 'value="openai:albert-small"' in html
    response = client.post(PAGE, {"assisted_percent": "25", "backend": "openai:albert-small"})
    assert response.status_code == 302
    period = ExperimentPeriod.objects.get()
    assert (period.backend, period.model_name) == ("openai", "albert-small")
    # Without the endpoint, its models are no longer offered.
    settings.DRAFTING_OPENAI_BASE_URL = ""
    assert "openai:" not in client.get(PAGE).content.decode()


# --- roles and tenancy -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_get_403_on_the_page_and_the_api(tenant_a, role):
    client = signed_in(getattr(tenant_a, role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"assisted_percent": "50", "backend": "offline:"}).status_code == 403
    assert client.post(STOP).status_code == 403
    assert client.get(API).status_code == 403
    response = client.post(API, {"assisted_percent": 50, "backend": "offline"}, "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client.post(API_STOP).status_code == 403
    assert not ExperimentPeriod.objects.exists()


def test_an_administrator_only_ever_sets_up_their_own_administration(tenant_a, tenant_b):
    experiment_services.experiment_configure(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        assisted_percent=30,
        backend="offline",
    )
    client = signed_in(tenant_b.administrator)
    # Pointing the session at another administration falls back to one's own.
    session = client.session
    session[SESSION_KEY] = tenant_a.administration.pk
    session.save()
    data = client.get(API).json()
    assert data["running"] is None and data["periods"] == []
    client.post(STOP)
    assert experiment_selectors.running_period(tenant_a.administration.pk) is not None
    client.post(API, {"assisted_percent": 60, "backend": "offline"}, "application/json")
    assert ExperimentPeriod.objects.filter(administration=tenant_a.administration).count() == 1
    assert ExperimentPeriod.objects.filter(administration=tenant_b.administration).count() == 1
    assert not audit(tenant_a.administration).exclude(actor=tenant_a.administrator).exists()


# --- the API ---------------------------------------------------------------------------------


def test_the_api_starts_changes_reads_and_stops(tenant_a):
    client = signed_in(tenant_a.administrator)
    data = client.get(API).json()
    assert data["running"] is None and data["has_volunteer"] is True
    assert data["backends_offered"][0]["backend"] == "offline"
    created = client.post(API, {"assisted_percent": 20, "backend": "offline"}, "application/json")
    assert created.status_code == 201
    assert created.json()["assisted_percent"] == 20.0 and created.json()["unit"] == "case"
    changed = client.post(API, {"assisted_percent": 80, "backend": "offline"}, "application/json")
    assert changed.status_code == 201
    data = client.get(API).json()
    assert data["running"]["id"] == changed.json()["id"]
    assert [p["assisted_percent"] for p in data["periods"]] == [80.0, 20.0]
    assert data["periods"][1]["ended_at"] is not None
    stopped = client.post(API_STOP)
    assert stopped.status_code == 200 and stopped.json()["ended_at"] is not None
    again = client.post(API_STOP)
    assert again.status_code == 400 and "experiment" in again.json()["fields"]
    assert [e.action for e in audit(tenant_a.administration).order_by("pk")] == [
        "experiment.started",
        "experiment.reconfigured",
        "experiment.stopped",
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {"assisted_percent": 0, "backend": "offline"},
        {"assisted_percent": 100, "backend": "offline"},
        {"assisted_percent": "x", "backend": "offline"},
        {"backend": "offline"},
        {"assisted_percent": 50},
    ],
)
def test_the_api_refuses_bad_input_with_the_field(tenant_a, payload):
    response = signed_in(tenant_a.administrator).post(API, payload, "application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "fields"} and body["fields"]
    assert not ExperimentPeriod.objects.exists()


# --- the pipeline uses the running period's backend and model --------------------------------


@pytest.fixture
def server():
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


def test_the_pipeline_drafts_with_the_backend_and_model_of_the_running_period(
    tenant_a,
    tenant_b,
    vitale_article,
    settings,
    server,
    fast_retries,
    django_capture_on_commit_callbacks,
):
    # The platform's default stays offline: only the configured administration uses the model.
    settings.DRAFTING_BACKEND = "offline"
    settings.DRAFTING_OPENAI_BASE_URL = server.base_url
    settings.DRAFTING_OPENAI_MODEL = "albert-large"
    settings.DRAFTING_OPENAI_TIMEOUT = 2
    settings.DRAFTING_BACKENDS_OFFERED = [
        ("offline", ""),
        ("openai", "albert-large"),
        ("openai", "albert-small"),
    ]
    response = signed_in(tenant_a.administrator).post(
        PAGE, {"assisted_percent": "99", "backend": "openai:albert-small"}
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        cases = [
            make_case(
                tenant_a.administration,
                subject="Carte Vitale perdue",
                body="Bonjour, j'ai perdu ma carte Vitale, que dois-je faire ?",
            )
            for _ in range(3)
        ]
    assisted = next((c for c in cases if CaseArm.objects.get(case=c).arm == "assisted"), None)
    assert assisted is not None
    suggestion = Suggestion.objects.get(case=assisted)
    assert suggestion.status == "ready", suggestion.error
    assert (suggestion.backend, suggestion.model_name) == ("openai", "albert-small")
    assert not suggestion.fell_back
    assert server.requests and server.requests[-1]["body"]["model"] == "albert-small"
    calls = len(server.requests)
    # Another administration without an experiment keeps the platform's default.
    with django_capture_on_commit_callbacks(execute=True):
        other = make_case(tenant_b.administration, subject="Carte Vitale perdue")
    other_suggestion = Suggestion.objects.get(case=other)
    assert other_suggestion.backend == "offline"
    assert len(server.requests) == calls


# --- accessibility and queries ---------------------------------------------------------------


def test_the_page_is_labelled_and_its_queries_do_not_grow_with_the_periods(
    tenant_a,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases.test_accessibility import _check

    client = signed_in(tenant_a.administrator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        assert response.status_code == 200
        _check(response.content.decode())
        return len(captured)

    for percent in (10, 20):
        experiment_services.experiment_configure(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            assisted_percent=percent,
            backend="offline",
        )
    queries()  # the first request of a session sets it up
    few = queries()
    for percent in (30, 40, 50, 60):
        experiment_services.experiment_configure(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            assisted_percent=percent,
            backend="offline",
        )
    assert queries() == few


def test_a_period_whose_endpoint_was_removed_falls_back_to_offline_and_says_so(
    tenant_a, vitale_article, settings, django_capture_on_commit_callbacks
):
    settings.DRAFTING_OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    settings.DRAFTING_BACKENDS_OFFERED = [("offline", ""), ("openai", "albert-small")]
    experiment_services.experiment_configure(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        assisted_percent=99,
        backend="openai",
        model_name="albert-small",
    )
    settings.DRAFTING_OPENAI_BASE_URL = ""  # the endpoint is gone from the settings
    with django_capture_on_commit_callbacks(execute=True):
        cases = [
            make_case(tenant_a.administration, subject="Carte Vitale perdue") for _ in range(3)
        ]
    suggestion = Suggestion.objects.filter(case__in=cases).first()
    assert suggestion is not None and suggestion.status == "ready"
    assert suggestion.backend == "offline" and suggestion.fell_back
    assert "DRAFTING_OPENAI_BASE_URL" in suggestion.error
