"""Durable follow-ups (accounts.followups): written with the change, run once, swept when lost.

These run eager Celery in-process; tests/test_fault_workers.py does the same with a real
worker and a Redis that is stopped and killed.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.followups import registry
from accounts.followups.models import FollowUp
from accounts.followups.registry import (
    followup_add,
    followup_handler,
    followup_run,
    followups_requeue,
    registered_kinds,
    sweep_all,
)
from cases import services as case_services
from cases.models import Case, Delivery
from config.celery import app
from drafting.models import Suggestion
from tests.api.conftest import session_client
from tests.case_states import REPLY_TEXT
from tests.cases.test_intake_api import FRANCE_SERVICES, URLS, client_for, post
from tests.factories import make_case

CALLS: list[str] = []


@followup_handler("test.record")
def _record(*, label: str) -> None:
    CALLS.append(label)
    if label.startswith("boom"):
        raise RuntimeError(f"handler failed on {label}")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def broker_down():
    """Celery pointed at a port nothing listens on, not eager: every publish fails."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    keys = ("broker_url", "task_always_eager", "broker_connection_timeout")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=f"redis://127.0.0.1:{port}/0",
        task_always_eager=False,
        broker_connection_timeout=1,
    )
    _reset_pools()
    yield
    app.conf.update(**previous)
    _reset_pools()
    registry._broker_down_until = 0.0  # the pause after a failed publish ends with the outage


def _reset_pools():
    app._pool = None
    app.amqp._producer_pool = None


# --- the contract ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_follow_up_of_a_change_is_a_kind_with_a_routed_task():
    # What a worker loads at start (the apps' task modules, which register their kinds): run
    # alone, this test would otherwise see only the kinds other tests happened to import.
    app.loader.import_default_modules()
    kinds = registered_kinds()
    for kind in (
        "drafting.prepare_case",
        "drafting.record_sent_reply",
        "drafting.learn_from_reply",
        "mail.survey_invitation",
        "mail.member_invitation",
        "mail.acknowledgement",
    ):
        assert kind in kinds
        assert kinds[kind].task.name == f"followup.{kind}"
        assert kinds[kind].task.name in app.tasks
    route = app.amqp.router.route({}, "followup.mail.member_invitation", args=(1,))
    assert route["queue"].name == "mail"
    assert app.amqp.router.route({}, "followup.drafting.prepare_case")["queue"].name == "celery"


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_in_the_transaction():
    with pytest.raises(ValueError, match="Unknown follow-up kind"):
        followup_add(kind="nobody.registered", x=1)
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_rows_roll_back_with_the_change(tenants):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case(tenants[0].administration)
        assert FollowUp.objects.filter(kind="drafting.prepare_case").count() == 1
        raise RuntimeError("the change fails")
    assert not FollowUp.objects.exists()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_row_runs_once_however_often_its_task_comes():
    followup = followup_add(kind="test.record", label="once")
    assert followup_run(followup_id=followup.pk) == ("done", None)
    assert followup_run(followup_id=followup.pk) == ("skipped", None)
    assert CALLS == ["once"]
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE and followup.attempts == 1


@pytest.mark.django_db
def test_a_failing_handler_is_retried_later_then_given_up(settings, caplog):
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    followup = followup_add(kind="test.record", label="boom")
    with caplog.at_level(logging.ERROR, "accounts.followups.registry"):
        outcome, wait = followup_run(followup_id=followup.pk)
    assert outcome == "retry" and wait == settings.FOLLOWUP_RETRY_BASE_SECONDS
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.PENDING and "handler failed" in followup.last_error
    # Not due yet: a duplicate task does nothing.
    assert followup_run(followup_id=followup.pk) == ("skipped", None)
    FollowUp.objects.filter(pk=followup.pk).update(due_at=timezone.now())
    assert followup_run(followup_id=followup.pk)[0] == "failed"
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.FAILED and followup.attempts == 2
    assert CALLS == ["boom", "boom"]


@pytest.mark.django_db
def test_a_dead_workers_claim_is_taken_over_after_the_lease(django_capture_on_commit_callbacks):
    followup = followup_add(kind="test.record", label="lease")
    # A worker claimed it and died: running, lease still valid → nobody else runs it.
    future = timezone.now() + dt.timedelta(seconds=60)
    FollowUp.objects.filter(pk=followup.pk).update(status="running", lease_until=future, attempts=1)
    assert followup_run(followup_id=followup.pk) == ("skipped", None)
    assert followups_requeue(grace_seconds=0) == 0
    # The lease expired: the sweeper queues it, and the next run takes it over.
    past = timezone.now() - dt.timedelta(seconds=1)
    FollowUp.objects.filter(pk=followup.pk).update(lease_until=past)
    with django_capture_on_commit_callbacks(execute=True):
        assert followups_requeue(grace_seconds=0) == 1
    assert CALLS == ["lease"]  # the eager task the sweeper queued
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE and followup.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_one_failing_follow_up_never_stops_another():
    with transaction.atomic():
        first = followup_add(kind="test.record", label="boom-first")
        second = followup_add(kind="test.record", label="second")
    assert CALLS == ["boom-first", "second"]  # each its own task, after commit
    assert FollowUp.objects.get(pk=first.pk).status == FollowUp.Status.PENDING
    assert FollowUp.objects.get(pk=second.pk).status == FollowUp.Status.DONE


# --- a broker outage loses nothing ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_broker_down_intake_reply_and_invitation_succeed_then_the_sweep_does_each_once(
    tenants, broker_down, settings, caplog
):
    from tests.case_states import make_office

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = make_office("France Services de Guéret", "FSGUE")
    with caplog.at_level(logging.WARNING, "accounts.followups.registry"):
        # Intake through the API.
        response = post(client_for(office), URLS["france_services"], FRANCE_SERVICES, key="k1")
        assert response.status_code == 201, response.content
        intake = Case.objects.get(reference=response.json()["reference"])
        # A reply sent through the API (to an e-mail case: a delivery and a survey invitation).
        case = make_case(office.administration, usager_email="lea@example.org")
        case = case_services.case_take(actor=office.agent, case=case)
        response = session_client(office.agent).post(
            f"/api/v1/cases/{case.pk}/reply/", {"body": REPLY_TEXT}, format="json"
        )
        assert response.status_code == 200, response.content
        # An invitation through the API.
        response = session_client(office.administrator).post(
            "/api/v1/members/", {"email": "new.agent@example.fr", "role": "agent"}, format="json"
        )
        assert response.status_code == 201, response.content
    assert "Broker unavailable" in caplog.text
    assert mail.outbox == []
    assert not Suggestion.objects.filter(case__in=[intake, case]).exists()
    delivery = Delivery.objects.get(reply__case=case)  # written with the reply
    assert delivery.status == Delivery.Status.PENDING
    pending = FollowUp.objects.filter(status=FollowUp.Status.PENDING)
    kinds = set(pending.values_list("kind", flat=True))
    assert kinds >= {
        "drafting.prepare_case",
        "drafting.record_sent_reply",
        "drafting.learn_from_reply",
        "mail.member_invitation",
    }
    # The survey asks whether the reply helped: it waits for the reply to reach the usager.
    assert "mail.survey_invitation" not in kinds

    # The broker is back (eager again here); the sweepers find every row, and the delivery
    # writes the survey's invitation, sent once the delivery is recorded.
    app.conf.update(task_always_eager=True)
    counts = sweep_all(grace_seconds=0)
    assert counts["followups"] == 5 and counts["deliveries"] == 1, counts
    assert not FollowUp.objects.exclude(status=FollowUp.Status.DONE).exists()
    for each in (intake, case):
        suggestions = Suggestion.objects.filter(case=each)
        assert [s.status for s in suggestions] == ["ready"]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    subjects = sorted(m.subject for m in mail.outbox)
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == ["lea@example.org", "lea@example.org", "new.agent@example.fr"], subjects
    # Sweeping again does nothing more: each was done exactly once.
    assert sweep_all(grace_seconds=0) == {
        "deliveries": 0,
        "drafts": 0,
        "followups": 0,
    }
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_broker_down_an_answer_given_keeps_its_survey_invitation_for_the_sweep(
    broker_down, settings
):
    """An answer given at the counter has no delivery to wait for: its invitation is written
    with it, survives the outage and leaves once when the sweep finds it."""
    from tests.case_states import make_office

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = make_office("France Services de Guéret", "FSGUE")
    case = make_case(
        office.administration, channel="france_services", usager_email="lea@example.org"
    )
    case = case_services.case_take(actor=office.agent, case=case)
    response = session_client(office.agent).post(
        f"/api/v1/cases/{case.pk}/answer-given/",
        {"body": REPLY_TEXT.replace("traité", "expliqué au guichet"), "given": "counter"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert mail.outbox == []
    assert not Delivery.objects.exists()
    invitation = FollowUp.objects.get(kind="mail.survey_invitation")
    assert invitation.status == FollowUp.Status.PENDING
    assert invitation.payload == {"case_id": case.pk, "reply_id": case.replies.get().pk}

    app.conf.update(task_always_eager=True)
    sweep_all(grace_seconds=0)
    surveys = [m for m in mail.outbox if "/enquete/" in m.body]
    assert [m.to for m in surveys] == [["lea@example.org"]]
    sweep_all(grace_seconds=0)
    assert len([m for m in mail.outbox if "/enquete/" in m.body]) == 1


# --- non-volunteers get no drafts -----------------------------------------------------------


@pytest.mark.django_db
def test_a_non_volunteer_cannot_have_drafts_written(
    tenants, client, django_capture_on_commit_callbacks
):
    tenant = tenants[0]
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(tenant.administration)
    administrator = tenant.administrator  # a member who did not volunteer
    case = case_services.case_take(actor=administrator, case=case)
    before = Suggestion.objects.filter(case=case).count()
    response = session_client(administrator).post(f"/api/v1/cases/{case.pk}/suggestion/")
    assert response.status_code == 403, response.content
    assert "volontaires" in response.json()["detail"]  # "... qu'aux volontaires ..."
    client.force_login(administrator)
    page = client.post(f"/brouillons/dossier/{case.pk}/nouveau/")
    assert page.status_code == 403
    assert Suggestion.objects.filter(case=case).count() == before
    # A volunteer may, on a case they hold.
    with django_capture_on_commit_callbacks(execute=True):
        held = case_services.case_take(actor=tenant.agent, case=make_case(tenant.administration))
    response = session_client(tenant.agent).post(f"/api/v1/cases/{held.pk}/suggestion/")
    assert response.status_code == 202


@pytest.fixture
def broker_refusing():
    """A RabbitMQ that refuses the connection (a vhost it does not have): py-amqp raises its
    NotAllowed unwrapped, which the request used to answer with a 500 after its commit."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 5672)) != 0:
            pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    keys = ("broker_url", "task_always_eager", "broker_connection_timeout")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url="amqp://guest:guest@127.0.0.1:5672/guichet-test-no-such-vhost",
        task_always_eager=False,
        broker_connection_timeout=2,
    )
    _reset_pools()
    yield
    app.conf.update(**previous)
    _reset_pools()
    registry._broker_down_until = 0.0


@pytest.mark.django_db(transaction=True)
def test_a_broker_refusing_the_connection_leaves_the_intake_to_the_sweeper(broker_refusing, caplog):
    from tests.case_states import make_office

    office = make_office("France Services d'Aubusson", "FSAUB")
    with caplog.at_level(logging.WARNING, "accounts.followups.registry"):
        response = post(client_for(office), URLS["france_services"], FRANCE_SERVICES, key="r1")
    assert response.status_code == 201, response.content
    assert "Broker unavailable" in caplog.text and "NotAllowed" not in response.content.decode()
    assert Case.objects.filter(reference=response.json()["reference"]).exists()
    # Its draft waits as a row for the sweeper, as with a broker that does not answer at all.
    assert FollowUp.objects.filter(
        status=FollowUp.Status.PENDING, kind="drafting.prepare_case"
    ).exists()
