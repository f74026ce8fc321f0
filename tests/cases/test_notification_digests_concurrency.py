"""Two runs of the daily digest at once (two workers, beat twice, a retry racing the next run)
mail each digest once: real transactions, threads with their own connections, a real SMTP
server that holds the first message until the second run is over.

Apart from tests/cases/test_notifications.py: a transactional test, which threads can see into.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

import pytest
from django.db import connection

from cases import services
from cases.models import Notification
from cases.notifications import services as notifications
from cases.notifications.services import notification_preference_update
from tests.case_states import make_office
from tests.cases.mailservers import free_port
from tests.factories import make_case

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the digests' lock is PostgreSQL's"
)


@dataclass
class HoldingSmtp:
    """An SMTP server that keeps its first message's session waiting until ``release``."""

    port: int
    recipients: list[str] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: object = None


@pytest.fixture
def holding_smtp():
    from aiosmtpd.controller import Controller

    server = HoldingSmtp(port=free_port())

    class Handler:
        async def handle_DATA(self, smtp_server, session, envelope):
            with server.lock:
                first = not server.holding.is_set()
                server.holding.set()
            if first:
                # Other sessions go on meanwhile: the event loop is not blocked.
                for _ in range(600):
                    if server.release.is_set():
                        break
                    await asyncio.sleep(0.05)
            with server.lock:
                server.recipients.extend(rcpt.lower() for rcpt in envelope.rcpt_tos)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port)
    controller.start()
    server.controller = controller
    yield server
    server.release.set()
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_digest_once(holding_smtp, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", holding_smtp.port
    settings.EMAIL_TIMEOUT = 30
    office = make_office("CAF de la Drôme", "CAF26")
    agents = [office.agent, office.agent2]
    for agent in agents:
        notification_preference_update(user=agent, daily_digest=True)
        case = make_case(office.administration)
        services.case_assign(actor=office.manager, case=case, assignee=agent)
    assert Notification.objects.filter(user__in=agents, mailed_at__isnull=True).count() == 2

    results: dict[str, int | BaseException] = {}

    def run(name: str) -> None:
        try:
            results[name] = notifications.send_notification_digests()
        except BaseException as error:  # reported by the assertion below
            results[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    # The first run is sending its first digest (the server holds it)...
    assert holding_smtp.holding.wait(timeout=60), results
    # ...when a second run starts, and finishes.
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(timeout=120)
    assert not second.is_alive()
    holding_smtp.release.set()
    first.join(timeout=120)
    assert not first.is_alive()

    assert results == {"first": 2, "second": 0}
    assert sorted(holding_smtp.recipients) == sorted(agent.email.lower() for agent in agents)
    assert not Notification.objects.filter(user__in=agents, mailed_at__isnull=True).exists()
    # A run after them finds nothing more to send, and may run: the lock was let go.
    assert notifications.send_notification_digests() == 0
    assert len(holding_smtp.recipients) == 2
