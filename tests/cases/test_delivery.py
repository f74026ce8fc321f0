"""Outbound delivery of replies: through the case's channel, retried, never doubled.

The HTTP callback is tested against a real HTTP server in a thread that checks the signature
and fails as often as told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.delivery.answers import no_answer_notice
from cases.delivery.pipeline import _backoff, delivery_attempt
from cases.delivery.services import delivery_create
from cases.models import CaseEvent, Channel, ChannelEndpoint, Delivery, Reply
from tests.case_states import REPLY_TEXT, fresh
from tests.factories import make_case

pytestmark = pytest.mark.django_db

SECRET = "s3cret-partag\u00e9"


@dataclass
class CallbackServer:
    """Answers 500 to the first ``failures`` requests, then ``final_status``."""

    secret: str = SECRET
    failures: int = 0
    delay: float = 0.0
    final_status: int = 200
    received: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = (
                    "sha256=" + hmac.new(server.secret.encode(), body, hashlib.sha256).hexdigest()
                )
                signed = hmac.compare_digest(expected, self.headers["X-Guichet-Signature"] or "")
                with server.lock:
                    server.received.append(
                        {
                            "at": time.monotonic(),
                            "body": json.loads(body),
                            "signed": signed,
                            "key": self.headers["Idempotency-Key"],
                            "timestamp": self.headers["X-Guichet-Timestamp"],
                        }
                    )
                    failing = len(server.received) <= server.failures
                time.sleep(server.delay)
                status = 401 if not signed else 500 if failing else server.final_status
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": %s}' % (b"true" if status == 200 else b"false"))

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/guichet/replies"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def callback():
    servers = []

    def start(**kwargs) -> tuple[CallbackServer, str]:
        server = CallbackServer(**kwargs)
        url = server.start()
        servers.append(server)
        return server, url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def fast(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 0.01
    settings.DELIVERY_MAX_ATTEMPTS = 4
    settings.DELIVERY_HTTP_TIMEOUT = 5
    return settings


def answered_case(office, channel=Channel.SERVICES_PUBLICS_PLUS, **kwargs):
    case = make_case(office.administration, channel=channel, **kwargs)
    return services.case_take(actor=office.agent, case=case)


def send_reply(office, case, capture) -> Reply:
    """Send a reply and run what follows the commit (the receiver, then the eager task)."""
    with capture(execute=True):
        return services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)


def endpoint(office, url, channel=Channel.SERVICES_PUBLICS_PLUS) -> ChannelEndpoint:
    return ChannelEndpoint.objects.create(
        administration=office.administration,
        channel=channel,
        callback_url=url,
        signing_secret=SECRET,
    )


def test_callback_failing_twice_is_retried_until_delivered(
    office, callback, fast, django_capture_on_commit_callbacks
):
    server, url = callback(failures=2)
    endpoint(office, url)
    case = answered_case(office)
    reply = send_reply(office, case, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(reply=reply)
    assert delivery.backend == Delivery.Backend.HTTP_CALLBACK
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert delivery.delivered_at is not None and delivery.last_error == ""
    assert len(server.received) == 3
    assert all(r["signed"] for r in server.received)
    # One idempotency key for every attempt: the receiver can drop a duplicate.
    assert {r["key"] for r in server.received} == {str(delivery.pk)}
    body = server.received[-1]["body"]
    assert body["delivery_id"] == delivery.pk
    assert body["timestamp"] == server.received[-1]["timestamp"]
    assert body["case"]["reference"] == case.reference
    assert body["reply"]["body"] == REPLY_TEXT
    delivered = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REPLY_DELIVERED)
    assert delivered.data["attempts"] == 3


def test_callback_carries_the_channel_identifier_of_the_intake(
    office, callback, fast, django_capture_on_commit_callbacks
):
    from cases.intake.services import intake_receive

    server, url = callback()
    endpoint(office, url)
    data = {
        "title": "Accueil",
        "description": "Très bon accueil.",
        "structure": {"name": "CAF"},
        "author": {"first_name": "A", "last_name": "B", "email": "ab@example.org"},
        "id": "exp-1",
    }
    result = intake_receive(
        administration=office.administration,
        channel=Channel.SERVICES_PUBLICS_PLUS,
        key="k-1",
        data=data,
        raw_payload=data,
        attachments=[],
    )
    case = services.case_take(actor=office.agent, case=result.case)
    send_reply(office, case, django_capture_on_commit_callbacks)
    assert server.received[0]["body"]["case"]["external_id"] == "exp-1"
    assert server.received[0]["body"]["case"]["idempotency_key"] == "k-1"


def test_final_failure_is_recorded_and_shown_then_a_manager_retries(
    office, callback, fast, client, django_capture_on_commit_callbacks
):
    server, url = callback(failures=100)
    endpoint(office, url)
    case = answered_case(office)
    reply = send_reply(office, case, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(reply=reply)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == fast.DELIVERY_MAX_ATTEMPTS == len(server.received)
    assert "HTTP 500" in delivery.last_error
    failed = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.DELIVERY_FAILED)
    assert failed.data["attempts"] == 4

    # The agent sees the failure on the case page, without the retry button.
    client.force_login(office.agent)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="delivery-status-' in page and "HTTP 500" in page
    retry_url = reverse("cases:delivery_retry", args=[case.pk, delivery.pk])
    assert retry_url not in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry_url).status_code == 403
    # The manager does, and sends it again once the receiver is fixed.
    server.failures = 0
    client.force_login(office.manager)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert retry_url in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    assert len(server.received) == 5
    retried = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.DELIVERY_RETRIED)
    assert retried.actor == office.manager and retried.data["previous_attempts"] == 4
    # A delivered reply cannot be "retried" into a second delivery.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url)
    assert len(server.received) == 5


def test_manager_of_another_administration_gets_404_on_retry(office, elsewhere, client):
    from tests.factories import make_member

    case = answered_case(office, channel=Channel.PHONE, usager_email="")
    reply = services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    delivery = delivery_create(reply_id=reply.pk)
    assert delivery.status == Delivery.Status.FAILED
    outsider = make_member(elsewhere, "manager")
    client.force_login(outsider)
    response = client.post(reverse("cases:delivery_retry", args=[case.pk, delivery.pk]))
    assert response.status_code == 404


def test_redelivered_task_after_delivery_sends_nothing(
    office, callback, fast, django_capture_on_commit_callbacks
):
    from cases.delivery.tasks import deliver_reply

    server, url = callback()
    endpoint(office, url)
    reply = send_reply(office, answered_case(office), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(reply=reply)
    assert len(server.received) == 1
    assert deliver_reply.apply(args=[delivery.pk]).get() == "skipped"
    assert delivery_attempt(delivery_id=delivery.pk).status == "skipped"
    # The same reply_sent again (a duplicated event) makes no second row nor send.
    assert delivery_create(reply_id=reply.pk).pk == delivery.pk
    assert len(server.received) == 1
    assert Delivery.objects.filter(reply=reply).count() == 1


def test_task_finding_the_delivery_being_sent_skips_it(office, callback, fast):
    server, url = callback()
    endpoint(office, url)
    case = answered_case(office)
    reply = services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    delivery = delivery_create(reply_id=reply.pk)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert delivery_attempt(delivery_id=delivery.pk).status == "skipped"
    assert server.received == []


def test_claim_of_a_dead_worker_is_taken_over_after_the_lease(office, callback, fast):
    server, url = callback()
    endpoint(office, url)
    case = answered_case(office)
    reply = services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    delivery = delivery_create(reply_id=reply.pk)
    stale = timezone.now() - dt.timedelta(seconds=fast.DELIVERY_CLAIM_LEASE_SECONDS + 5)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=stale, attempts=1
    )
    assert delivery_attempt(delivery_id=delivery.pk).status == "delivered"
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == Delivery.Status.DELIVERED
    assert server.received[0]["key"] == str(delivery.pk)


def test_email_channel_reply_goes_by_email(
    office, fast, mailoutbox, django_capture_on_commit_callbacks
):
    case = answered_case(office, channel=Channel.EMAIL, usager_email="lea@example.org")
    reply = send_reply(office, case, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(reply=reply)
    assert delivery.backend == Delivery.Backend.EMAIL
    assert delivery.status == Delivery.Status.DELIVERED
    replies = [m for m in mailoutbox if "/enquete/" not in m.body]  # the survey is its own mail
    assert len(replies) == 1
    sent = replies[0]
    assert sent.to == ["lea@example.org"]
    assert sent.subject.startswith(f"[{case.reference}]")
    # No mailbox reads an answer: the mail says so after the reply (cases/delivery/answers.py).
    assert sent.body == f"{REPLY_TEXT}\n\n—\n{no_answer_notice(case)}"
    assert sent.reply_to == []
    # Its own Message-ID, random (threading trusts it), stored on the delivery row.
    assert sent.extra_headers["Message-ID"] == delivery.message_id
    assert f".delivery-{delivery.pk}@" in delivery.message_id


def test_a_case_stored_with_a_line_break_in_its_subject_is_still_answered_by_email(
    office, fast, mailoutbox, django_capture_on_commit_callbacks
):
    case = answered_case(office, channel=Channel.EMAIL, usager_email="lea@example.org")
    # As stored before intake made subjects one line.
    case.__class__.objects.filter(pk=case.pk).update(subject="Hello\r\nBcc: x@example.org")
    case.refresh_from_db()
    reply = send_reply(office, case, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(reply=reply)
    assert delivery.status == Delivery.Status.DELIVERED, delivery.last_error
    sent = next(m for m in mailoutbox if "/enquete/" not in m.body)
    assert sent.subject == f"[{case.reference}] Hello Bcc: x@example.org"
    assert sent.message()["Bcc"] is None  # no header of its own


def test_channel_without_endpoint_falls_back_to_email_and_inactive_endpoint_is_ignored(
    office, callback, fast, mailoutbox, django_capture_on_commit_callbacks
):
    server, url = callback()
    endpoint(office, url).__class__.objects.update(is_active=False)
    case = answered_case(office, channel=Channel.SERVICE_PUBLIC_QUESTION)
    reply = send_reply(office, case, django_capture_on_commit_callbacks)
    assert Delivery.objects.get(reply=reply).backend == Delivery.Backend.EMAIL
    replies = [m for m in mailoutbox if "/enquete/" not in m.body]  # the survey is its own mail
    assert len(replies) == 1 and server.received == []


def test_no_route_is_a_visible_failure_without_a_task(office, django_capture_on_commit_callbacks):
    case = answered_case(office, channel=Channel.PHONE, usager_email="")
    reply = send_reply(office, case, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(reply=reply)
    assert delivery.backend == Delivery.Backend.NONE
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 0
    assert "No delivery route" in delivery.last_error


def test_unreachable_endpoint_is_a_recorded_failure(
    office, fast, django_capture_on_commit_callbacks
):
    fast.DELIVERY_HTTP_TIMEOUT = 0.5
    endpoint(office, "http://127.0.0.1:9/nothing-listens-here")
    reply = send_reply(office, answered_case(office), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(reply=reply)
    assert delivery.status == Delivery.Status.FAILED
    assert "ConnectError" in delivery.last_error or "Connect" in delivery.last_error


def test_backoff_is_exponential_and_capped(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 30
    settings.DELIVERY_RETRY_MAX_SECONDS = 3600
    assert [_backoff(n) for n in (1, 2, 3, 4, 8)] == [30, 60, 120, 240, 3600]


def test_no_route_failure_is_shown_on_the_case_page(office, client):
    case = answered_case(office, channel=Channel.PHONE, usager_email="")
    reply = services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    delivery_create(reply_id=reply.pk)
    client.force_login(fresh(office.agent))
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert f'id="delivery-status-{reply.pk}"' in content
    assert "No delivery route" in content


def test_lost_task_is_queued_again_by_the_sweep(
    office, callback, fast, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    server, url = callback()
    endpoint(office, url)
    case = answered_case(office)
    # The delivery row is written with the reply (same transaction); here its task never
    # reached the broker (the commit callbacks are not run).
    reply = services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    Delivery.objects.filter(reply=reply).update(
        next_attempt_at=timezone.now() - dt.timedelta(hours=1)
    )
    recent = answered_case(office)
    recent_reply = services.case_send_reply(actor=office.agent, case=recent, body=REPLY_TEXT)
    assert Delivery.objects.filter(reply__in=[reply, recent_reply]).count() == 2
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("deliveries_requeue", stdout=out)
    assert "1 delivery(ies) queued again" in out.getvalue()
    assert Delivery.objects.get(reply=reply).status == Delivery.Status.DELIVERED
    # A delivery still within its time is left to its own task.
    assert Delivery.objects.get(reply=recent_reply).status == Delivery.Status.PENDING
    assert len(server.received) == 1


# --- the last guard: citation markers never reach the usager --------------------------------

MARKED = (
    "Bonjour,\n\nDéclarez la perte sur votre compte ameli [1]. La nouvelle carte arrive "
    "sous deux à trois semaines [2][3].\n[4]\n\nCordialement,\nLe service"
)
CLEAN = (
    "Bonjour,\n\nDéclarez la perte sur votre compte ameli. La nouvelle carte arrive "
    "sous deux à trois semaines.\n\nCordialement,\nLe service"
)


def test_citation_markers_are_stripped_before_the_reply_is_stored_and_mailed(
    office, fast, mailoutbox, django_capture_on_commit_callbacks
):
    case = answered_case(office, channel=Channel.EMAIL, usager_email="lea@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.case_send_reply(actor=office.agent, case=case, body=MARKED)
    reply.refresh_from_db()
    assert reply.body == CLEAN
    (sent,) = [m for m in mailoutbox if "/enquete/" not in m.body]
    assert sent.body == f"{CLEAN}\n\n—\n{no_answer_notice(case)}" and "[" not in sent.body


def test_citation_markers_are_stripped_before_the_reply_is_called_back(
    office, callback, fast, django_capture_on_commit_callbacks
):
    server, url = callback()
    endpoint(office, url)
    case = answered_case(office)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=case, body=MARKED)
    assert server.received[-1]["body"]["reply"]["body"] == CLEAN


def test_a_reply_made_only_of_markers_is_refused_as_empty(office):
    case = answered_case(office)
    with pytest.raises(ValidationError) as error:
        services.case_send_reply(actor=office.agent, case=case, body="[1] [2]")
    assert "body" in error.value.message_dict
    assert not Reply.objects.filter(case=case).exists()


def test_the_preview_shows_the_reply_without_markers(office, client):
    case = answered_case(office)
    client.force_login(office.agent)
    response = client.post(
        reverse("cases:reply", args=[case.pk]), {"body": MARKED, "version": case.version}
    )
    assert response.status_code == 200
    preview = response.content.decode().split('id="reply-preview"')[1].split("</div>")[0]
    assert "ameli." in preview and "[1]" not in preview and "[4]" not in preview
