"""With a real broker (Redis) and a real Celery worker: the production path of drafting."""

from __future__ import annotations

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery import app
from drafting.models import Suggestion
from tests.factories import make_case

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

# One Redis database per xdist worker: parallel runs never read each other's queues.
_WORKER_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
BROKER_URL = f"redis://127.0.0.1:6379/{10 + _WORKER_INDEX}"
QUEUE = "celery"  # the follow-ups' bookkeeping; drafts go to "drafting"
# Every queue of config/settings.py (CELERY_TASK_ROUTES): the test worker consumes them all.
QUEUES = ["celery", "drafting", "delivery", "mail"]


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not running at {BROKER_URL} (.ci/run starts it)")
    client.flushdb()
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=BROKER_URL, task_always_eager=False, result_backend=None)
    _reset_pools()
    yield client
    app.conf.update(**previous)
    _reset_pools()
    client.flushdb()


def _reset_pools():
    # Connection and producer pools are built from the configuration on first use.
    app._pool = None
    app.amqp._producer_pool = None


def _wait_for(predicate, timeout=60.0):
    """Poll ``predicate`` until true or a generous deadline (a loaded machine is slow)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _idle(client) -> bool:
    """Nothing waiting in any queue and nothing taken but unacknowledged (acks_late: a message
    stays in kombu's ``unacked`` hash until its task ended)."""
    return not any(client.llen(queue) for queue in QUEUES) and not client.hlen("unacked")


def worker(**kwargs):
    """An in-process worker consuming every queue."""
    return start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=QUEUES, **kwargs
    )


def test_committed_case_is_queued_and_rolled_back_case_is_not(broker, tenants):
    tenant = tenants[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case(tenant.administration)
        raise RuntimeError("roll back")
    assert broker.llen(QUEUE) == 0
    make_case(tenant.administration)
    assert broker.llen(QUEUE) == 1  # the case's follow-up (its arm and first draft)


def test_worker_drafts_a_ready_offline_suggestion_with_sources(broker, tenants):
    from drafting.knowledge import ArticleData
    from drafting.knowledge.services import article_upsert

    article_upsert(
        data=ArticleData(
            external_id="BROKER-APL",
            title="Aide personnalisée au logement",
            body="",
            source_format="markdown",
            passages=[
                (
                    "Aide personnalisée au logement › Déménagement",
                    "Après un déménagement, déclarez votre nouvelle adresse et votre nouveau "
                    "loyer à la CAF pour que l'aide au logement soit recalculée.",
                )
            ],
        ),
        administration=None,
    )
    tenant = tenants[0]
    with worker():
        case = make_case(
            tenant.administration,
            subject="APL après déménagement",
            body="Je viens de déménager, comment faire pour mon aide au logement ?",
        )
        assert _wait_for(lambda: Suggestion.objects.filter(case=case, status="ready").exists()), (
            list(Suggestion.objects.filter(case=case).values("status", "error"))
        )
        # A duplicated delivery of the same task changes nothing.
        suggestion = Suggestion.objects.get(case=case)
        from drafting.suggestions.tasks import draft_suggestion
        from drafting.tasks import prepare_new_case

        prepare_new_case.delay(case.pk)
        draft_suggestion.delay(suggestion.pk)
        assert _wait_for(lambda: _idle(broker))
    assert Suggestion.objects.filter(case=case).count() == 1
    suggestion.refresh_from_db()
    assert suggestion.backend == "offline" and suggestion.attempts == 1
    assert suggestion.sources and suggestion.sources[0]["title"].startswith("Aide personnalisée")
    assert "[1]" in suggestion.text
