"""Intake and delivery under concurrency: real transactions, several threads.

Apart from the other intake tests because those share a module-wide transaction
(tests/cases/conftest.py), which threads cannot see into.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from cases.models import Case
from tests.case_states import make_office
from tests.cases import test_delivery
from tests.cases.test_intake_api import FRANCE_SERVICES, URLS, post

callback = test_delivery.callback  # the local HTTP server fixture

# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_with_the_same_key_make_one_case():
    office = make_office("France Services de Guéret", "FSGUE")
    _token, key = api_token_create(
        actor=office.administrator,
        administration=office.administration,
        name="Plateforme",
        scope="intake",
    )
    barrier = threading.Barrier(4)
    results = []

    def deliver():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        barrier.wait()
        try:
            results.append(post(client, URLS["france_services"], FRANCE_SERVICES, key="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 200, 200, 201], [r.content for r in results]
    assert len({r.json()["reference"] for r in results}) == 1
    assert Case.objects.filter(administration=office.administration).count() == 1


# --- outbound delivery -----------------------------------------------------------------------


def _reply_with_endpoint(url: str):
    from cases import services
    from cases.delivery.services import delivery_create
    from cases.models import Channel, ChannelEndpoint
    from tests.case_states import REPLY_TEXT
    from tests.cases.test_delivery import SECRET
    from tests.factories import make_case

    office = make_office("Caisse d'allocations familiales de l'Ain", "CAF01")
    ChannelEndpoint.objects.create(
        administration=office.administration,
        channel=Channel.SERVICES_PUBLICS_PLUS,
        callback_url=url,
        signing_secret=SECRET,
    )
    case = make_case(office.administration, channel=Channel.SERVICES_PUBLICS_PLUS)
    case = services.case_take(actor=office.agent, case=case)
    reply = services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    # Sent through the service: after commit, the receiver made the row and (eagerly) sent it.
    return reply, delivery_create(reply_id=reply.pk)


@pytest.mark.django_db(transaction=True)
def test_racing_tasks_deliver_once(callback, settings):
    from cases.delivery.pipeline import delivery_attempt
    from cases.models import Delivery

    server, url = callback(delay=0.3)
    _reply, delivery = _reply_with_endpoint(url)
    assert len(server.received) == 1  # the eager task of reply_sent
    # Put it back to pending as if that first task had not run, then race four workers.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, attempts=0, delivered_at=None
    )
    server.received.clear()
    barrier = threading.Barrier(4)
    outcomes = []

    def work():
        barrier.wait()
        try:
            outcomes.append(delivery_attempt(delivery_id=delivery.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["delivered", "skipped", "skipped", "skipped"]
    assert len(server.received) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_real_worker_retries_with_backoff_then_delivers_once(callback, settings):
    """A Redis broker and a real worker: a callback failing twice is retried later, with
    growing waits, and a duplicated task delivers nothing more."""
    import redis

    from cases.delivery.tasks import deliver_reply
    from cases.models import Delivery
    from config.celery import app
    from tests.drafting.test_broker import _idle, _reset_pools, _wait_for, worker

    settings.DELIVERY_RETRY_BASE_SECONDS = 0.5
    settings.DELIVERY_MAX_ATTEMPTS = 5
    server, url = callback(failures=2)
    broker_url = "redis://127.0.0.1:6379/9"
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=broker_url, task_always_eager=False, result_backend=None)
    _reset_pools()
    try:
        with worker():
            _reply, delivery = _reply_with_endpoint(url)
            assert _wait_for(
                lambda: Delivery.objects.filter(pk=delivery.pk, status="delivered").exists(),
                timeout=120,
            ), list(Delivery.objects.filter(pk=delivery.pk).values())
            deliver_reply.delay(delivery.pk)  # a duplicated message
            client = redis.Redis.from_url(broker_url)
            assert _wait_for(lambda: _idle(client), timeout=120)
    finally:
        app.conf.update(**previous)
        _reset_pools()
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert len(server.received) == 3
    gaps = [b["at"] - a["at"] for a, b in zip(server.received, server.received[1:], strict=False)]
    # At least 0.5 s then 1 s (exponential): lower bounds only, a loaded machine only adds.
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95, gaps
