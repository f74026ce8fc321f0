"""The counter and the phone (cases/counter/): "New case" recorded by an agent for a usager in
front of them or on the phone, and the answer given there, recorded as the case's reply with
nothing delivered.

Pages are asked for in English (the ``browser`` fixture) so that assertions on wording do not
depend on the state of the French catalogue.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from cases import services as case_services
from cases.audit_actions import CasesAuditAction
from cases.counter.services import case_record_answer_given, counter_case_create
from cases.models import Attachment, Case, CaseEvent, Channel, Delivery, Priority, Reply, Status
from drafting.experiment import services as experiment_services
from drafting.models import CaseArm, ImpactCase, Suggestion
from tests.cases.workspace_pages import detail, flashed, text_of
from tests.clamd import EICAR_NAME, EICAR_PDF, clamav_on, clamd  # noqa: F401
from tests.factories import make_case, make_topic

pytestmark = pytest.mark.django_db

NEW = "/dossiers/nouveau/"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
QUESTION = (
    "Bonjour, j'ai perdu ma carte Vitale la semaine dernière. Comment en obtenir une nouvelle "
    "et mes droits restent-ils ouverts en attendant ?"
)
ANSWER = (
    "Je lui ai expliqué qu'il faut déclarer la perte sur le compte ameli, puis commander une "
    "nouvelle carte ; ses droits restent ouverts en attendant."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _valid(**overrides) -> dict:
    data = {
        "channel": Channel.PHONE,
        "subject": "Carte Vitale perdue",
        "body": QUESTION,
        "usager_name": "  Jeanne   Moreau ",
        "usager_email": "",
        "usager_phone": "06 12 34 56 78",
        "topic": "",
        "priority": str(Priority.HIGH),
        "handle_now": "on",
    }
    data.update(overrides)
    return data


def _errors(response) -> str:
    return text_of(response.content.decode())


# --- "New case" ------------------------------------------------------------------------------


def test_the_inbox_links_to_the_new_case_page_for_those_who_work_cases(office, browser):
    assert 'id="new-case"' in browser(office.agent).get(reverse("cases:inbox")).content.decode()
    page = browser(office.agent).get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    # The channels of a person, never the platforms'.
    assert set(re.findall(r'name="channel" value="([^"]+)"', html)) == {
        Channel.PHONE,
        Channel.FRANCE_SERVICES,
    }
    assert 'name="attachments"' in html


def test_an_agent_records_a_phone_case_handled_now(
    office, browser, django_capture_on_commit_callbacks
):
    topic = make_topic(office.administration, name="Santé")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(office.agent).post(
            NEW,
            {
                **_valid(topic=str(topic.pk)),
                "attachments": SimpleUploadedFile("ordonnance.pdf", PDF, "application/pdf"),
            },
        )
    case = Case.objects.get(subject="Carte Vitale perdue")
    assert response.status_code == 302 and response["Location"] == detail(case)
    assert case.administration_id == office.administration.pk
    assert (case.channel, case.priority, case.topic_id) == (Channel.PHONE, Priority.HIGH, topic.pk)
    assert (case.usager_name, case.usager_email, case.usager_phone) == (
        "Jeanne Moreau",
        "",
        "06 12 34 56 78",
    )
    # "I am handling it now": the case is the agent's, out of the queue.
    assert case.assignee_id == office.agent.pk and case.status == Status.ASSIGNED
    # Like any other case: the phone's deadline (3 days by default), its journal, its draft.
    assert case.due_at - case.created_at == dt.timedelta(days=3)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CREATED).exists()
    assert Suggestion.objects.filter(case=case).exists()
    attachment = Attachment.objects.get(case=case)
    assert (attachment.original_name, attachment.reply_id, attachment.pending_token) == (
        "ordonnance.pdf",
        None,
        "",
    )
    assert attachment.uploaded_by_id == office.agent.pk
    assert any(case.reference in message for message in flashed(response))


def test_a_form_sent_twice_records_its_case_once(office, browser):
    """A double click, or the page sent again: the second sending opens the first's case."""
    client = browser(office.agent)
    token = re.search(r'name="submission" value="([^"]+)"', client.get(NEW).content.decode())[1]
    first = client.post(NEW, _valid(submission=token))
    again = client.post(NEW, _valid(submission=token))
    case = Case.objects.get(subject="Carte Vitale perdue")
    assert first["Location"] == again["Location"] == detail(case)
    # Another form (another token) is another case.
    other = re.search(r'name="submission" value="([^"]+)"', client.get(NEW).content.decode())[1]
    assert other != token
    client.post(NEW, _valid(submission=other))
    assert Case.objects.filter(subject="Carte Vitale perdue").count() == 2


def test_a_sending_that_failed_gives_its_token_back(office, browser, monkeypatch):
    """A server error (a database blip) records nothing: the same form sent again records the
    case, rather than finding its token taken."""
    from django.db import DatabaseError

    from cases.counter import views as counter_views

    def fail(**_kwargs):
        raise DatabaseError("the database went away")

    client = browser(office.agent)
    client.raise_request_exception = False
    real = counter_views.counter_case_create
    monkeypatch.setattr(counter_views, "counter_case_create", fail)
    assert client.post(NEW, _valid(submission="t-2")).status_code == 500
    monkeypatch.setattr(counter_views, "counter_case_create", real)
    assert client.post(NEW, _valid(submission="t-2")).status_code == 302
    assert Case.objects.filter(subject="Carte Vitale perdue").count() == 1


def test_a_form_sent_again_while_its_first_sending_is_recorded_says_so(office, browser):
    from django.core.cache import cache

    client = browser(office.agent)
    cache.set(f"counter-submission:{office.agent.pk}:t-3", 0, 60)  # the first, in flight
    response = client.post(NEW, _valid(submission="t-3"))
    assert response.status_code == 409
    assert "still being recorded from your first sending" in _errors(response)
    assert not Case.objects.filter(subject="Carte Vitale perdue").exists()


def test_a_refused_form_can_be_sent_again_with_its_token(office, browser):
    client = browser(office.agent)
    refused = client.post(NEW, _valid(subject="", submission="t-1"))
    assert refused.status_code == 400 and 'value="t-1"' in refused.content.decode()
    assert client.post(NEW, _valid(submission="t-1")).status_code == 302
    assert Case.objects.filter(subject="Carte Vitale perdue").count() == 1


def test_without_handling_it_now_the_case_waits_in_the_queue(office, browser):
    data = _valid(channel=Channel.FRANCE_SERVICES)
    del data["handle_now"]
    browser(office.agent).post(NEW, data)
    case = Case.objects.get(subject="Carte Vitale perdue")
    assert (case.channel, case.assignee_id, case.status) == (
        Channel.FRANCE_SERVICES,
        None,
        Status.NEW,
    )


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"subject": ""}, "Give the case a subject."),
        ({"body": "   "}, "Write what the usager asks."),
        ({"channel": ""}, "Say how the usager reached you."),
        # The platforms' channels come by intake, not from this page.
        ({"channel": Channel.SERVICES_PUBLICS_PLUS}, "Say how the usager reached you."),
        ({"usager_email": "jeanne@"}, "Enter a valid e-mail address"),
        ({"usager_phone": "appelez-moi"}, "Enter a phone number"),
        ({"usager_phone": "12"}, "Enter a phone number"),
        ({"priority": "9"}, "Choose a priority from the list."),
        ({"topic": "999999"}, "Choose a topic from the list."),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(office, browser, overrides, field_error):
    response = browser(office.agent).post(NEW, _valid(**overrides))
    assert response.status_code == 400
    assert field_error in _errors(response)
    assert "The case was not recorded" in _errors(response)
    assert not Case.objects.exists()


def test_the_form_keeps_what_was_typed_after_an_error(office, browser):
    response = browser(office.agent).post(NEW, _valid(subject=""))
    html = response.content.decode()
    assert "Jeanne   Moreau" in html and "06 12 34 56 78" in html
    assert "perdu ma carte Vitale" in html


def test_a_topic_of_another_administration_is_refused(office, elsewhere, browser):
    foreign = make_topic(elsewhere, name="Retraite")
    response = browser(office.agent).post(NEW, _valid(topic=str(foreign.pk)))
    assert response.status_code == 400
    assert "Choose a topic from the list." in _errors(response)
    assert not Case.objects.exists()


def test_a_refused_file_is_a_form_error_and_no_case_is_written(office, browser):
    response = browser(office.agent).post(
        NEW,
        {
            **_valid(),
            "attachments": SimpleUploadedFile("script.exe", b"MZ\x90\x00binary", "text/plain"),
        },
    )
    assert response.status_code == 400
    assert "script.exe" in _errors(response)
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_an_infected_file_is_refused_by_name_journaled_and_no_case_is_written(
    office,
    browser,
    clamav_on,  # noqa: F811
    media,
):
    files = [
        SimpleUploadedFile("ordonnance.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("facture.pdf", EICAR_PDF, "application/pdf"),
    ]
    response = browser(office.agent).post(NEW, {**_valid(), "attachments": files})
    assert response.status_code == 400
    assert "facture.pdf" in _errors(response) and EICAR_NAME in _errors(response)
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
    (line,) = AuditEntry.objects.filter(
        administration=office.administration, action=CasesAuditAction.ATTACHMENT_INFECTED
    )
    assert line.actor == office.agent and line.data["source"] == "counter"


def test_the_page_says_try_again_when_the_antivirus_is_down(office, browser, settings, tmp_path):
    settings.CLAMAV_URL = f"unix://{tmp_path}/no-clamd.sock"
    settings.CLAMAV_TIMEOUT_SECONDS = 5
    response = browser(office.agent).post(
        NEW,
        {**_valid(), "attachments": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 400
    assert "The antivirus cannot check the attached files right now" in _errors(response)
    assert not Case.objects.exists()


@override_settings(INTAKE_ATTACHMENT_MAX_FILES=1)
def test_too_many_files_are_refused(office, browser):
    files = [SimpleUploadedFile(f"{n}.pdf", PDF, "application/pdf") for n in range(2)]
    response = browser(office.agent).post(NEW, {**_valid(), "attachments": files})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_case_is_created_in_the_current_administration_only(office, elsewhere, browser):
    """A field naming another administration is ignored: the tenant comes from the session."""
    browser(office.agent).post(NEW, {**_valid(), "administration": str(elsewhere.pk)})
    assert Case.objects.get().administration_id == office.administration.pk


def test_an_agent_of_another_administration_records_in_their_own(office, elsewhere, browser):
    from tests.factories import make_member

    outsider = make_member(elsewhere, "agent")
    browser(outsider).post(NEW, _valid())
    assert Case.objects.get().administration_id == elsewhere.pk


def test_someone_of_no_administration_cannot_record_a_case(browser):
    from tests.factories import UserFactory

    client = browser(UserFactory())
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _valid()).status_code == 403
    assert not Case.objects.exists()


def test_an_agent_of_another_administration_cannot_see_the_recorded_case(
    office, elsewhere, browser
):
    from tests.factories import make_member

    browser(office.agent).post(NEW, _valid())
    case = Case.objects.get()
    stranger = browser(make_member(elsewhere, "agent"))
    assert stranger.get(detail(case)).status_code == 404
    response = stranger.post(
        reverse("cases:answer_given", args=[case.pk]),
        {"body": ANSWER, "version": case.version, "given": "phone"},
    )
    assert response.status_code == 404
    assert not Reply.objects.exists()


def test_the_service_refuses_a_platform_channel(office):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        counter_case_create(
            actor=office.agent,
            administration=office.administration,
            channel=Channel.EMAIL,
            subject="Sujet",
            body=QUESTION,
        )
    assert "channel" in caught.value.message_dict
    assert not Case.objects.exists()


# --- the answer given ------------------------------------------------------------------------


def _phone_case(office, **kwargs) -> Case:
    case = make_case(
        office.administration,
        channel=Channel.PHONE,
        usager_email="",
        usager_phone="06 12 34 56 78",
        **kwargs,
    )
    return case_services.case_take(actor=office.agent, case=case)


def test_without_a_way_to_the_usager_the_composer_offers_only_to_record_the_answer(office, browser):
    case = _phone_case(office)
    html = browser(office.agent).get(detail(case)).content.decode()
    assert 'id="no-delivery-route"' in html
    assert 'id="preview-send"' not in html
    assert 'id="record-answer-given"' in html
    # The phone's case proposes "on the phone".
    assert re.search(r'id="answer-given-phone"[^>]*checked', html)


def test_with_an_email_both_sending_and_recording_are_offered(office, browser):
    case = make_case(office.administration, channel=Channel.FRANCE_SERVICES)
    case = case_services.case_take(actor=office.agent, case=case)
    html = browser(office.agent).get(detail(case)).content.decode()
    assert 'id="no-delivery-route"' not in html
    assert 'id="preview-send"' in html and 'id="record-answer-given"' in html
    assert re.search(r'id="answer-given-counter"[^>]*checked', html)


def test_recording_the_answer_given_answers_the_case_without_any_delivery(
    office, browser, django_capture_on_commit_callbacks
):
    case = _phone_case(office)
    client = browser(office.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:answer_given", args=[case.pk]),
            {"body": ANSWER, "version": case.version, "given": "phone"},
        )
    assert response.status_code == 302
    assert response["Location"] == f"{detail(case)}?envoye=1"
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.answered_at is not None
    reply = Reply.objects.get(case=case)
    assert (reply.body, reply.author_id) == (ANSWER, office.agent.pk)
    assert not Delivery.objects.exists()
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REPLY_SENT)
    assert event.data == {"reply_id": reply.pk, "given": "phone"}
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DELIVERY_FAILED).exists()
    # The agent's note of what they said is not a written reply: the answer bank never learns it.
    from accounts.followups.models import FollowUp
    from drafting.tasks import LEARN_FROM_REPLY

    assert not FollowUp.objects.filter(kind=LEARN_FROM_REPLY).exists()
    page = text_of(client.get(detail(case)).content.decode())
    assert "Answer given on the phone" in page
    assert "Delivery" not in page and "No delivery route" not in page


def test_htmx_recording_redirects_in_place(office, browser):
    case = _phone_case(office)
    response = browser(office.agent).post(
        reverse("cases:answer_given", args=[case.pk]),
        {"body": ANSWER, "version": case.version, "given": "counter"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{detail(case)}?envoye=1"
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REPLY_SENT)
    assert event.data["given"] == "counter"
    page = text_of(browser(office.agent).get(detail(case)).content.decode())
    assert "Answer given at the counter" in page


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"body": ""}, 400, "Write the answer you gave before recording it."),
        ({"given": "pigeon"}, 400, "Say how the answer was given"),
        ({"given": ""}, 400, "Say how the answer was given"),
        ({"version": "1"}, 409, "changed by someone else"),
    ],
)
def test_a_bad_answer_given_is_a_form_error_with_the_text_kept(
    office, browser, overrides, status, message
):
    case = _phone_case(office)
    data = {"body": ANSWER, "version": case.version, "given": "phone", **overrides}
    response = browser(office.agent).post(reverse("cases:answer_given", args=[case.pk]), data)
    assert response.status_code == status
    assert message in _errors(response)
    # Said once, in the answer's words (not also the composer's "before sending it").
    assert _errors(response).count(message) == 1
    assert "Write the reply before sending it." not in _errors(response)
    if overrides.get("body") != "":
        assert "ameli" in response.content.decode()  # the agent's text is kept
    assert not Reply.objects.exists()
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED


def test_an_agent_cannot_record_an_answer_on_someone_elses_case(office, browser):
    case = _phone_case(office)
    response = browser(office.agent2).post(
        reverse("cases:answer_given", args=[case.pk]),
        {"body": ANSWER, "version": case.version, "given": "phone"},
    )
    assert response.status_code == 403
    assert not Reply.objects.exists()


def test_an_answered_case_refuses_a_second_answer(office):
    from django.core.exceptions import ValidationError

    case = _phone_case(office)
    case_record_answer_given(actor=office.agent, case=case, body=ANSWER, given="phone")
    with pytest.raises(ValidationError):
        case_record_answer_given(actor=office.agent, case=case, body=ANSWER, given="phone")
    assert Reply.objects.count() == 1


def test_a_file_given_with_the_answer_is_kept_with_it(office, browser):
    case = _phone_case(office)
    browser(office.agent).post(
        reverse("cases:answer_given", args=[case.pk]),
        {
            "body": ANSWER,
            "version": case.version,
            "given": "counter",
            "attachments": SimpleUploadedFile("formulaire.pdf", PDF, "application/pdf"),
        },
    )
    reply = Reply.objects.get(case=case)
    assert list(reply.attachments.values_list("original_name", flat=True)) == ["formulaire.pdf"]
    assert not Delivery.objects.exists()


def test_the_answer_given_counts_as_answered_for_the_impact_facts_and_the_draft(
    office, django_capture_on_commit_callbacks
):
    experiment_services.experiment_start(
        actor=None, administration=office.administration, assisted_share="1", backend="offline"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = counter_case_create(
            actor=office.agent,
            administration=office.administration,
            channel=Channel.FRANCE_SERVICES,
            subject="Carte Vitale perdue",
            body=QUESTION,
            handle_now=True,
        )
    # Its arm is drawn like any new case's (the drafting follow-up of case_created).
    assert CaseArm.objects.filter(case=case).exists()
    case = case_services.case_mark_opened(actor=office.agent, case=case)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == Suggestion.Status.READY, suggestion.error
    Suggestion.objects.filter(pk=suggestion.pk).update(shown_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        reply = case_record_answer_given(
            actor=office.agent, case=case, body=suggestion.text, given="counter"
        )
    case.refresh_from_db()
    assert not Delivery.objects.filter(reply=reply).exists()
    fact = ImpactCase.objects.get(case_id=case.pk)
    assert fact.answered_at == case.answered_at
    expected = (case.answered_at - case.first_opened_at).total_seconds()
    assert fact.handling_seconds == pytest.approx(expected, abs=1e-6)
    # The draft's decision is recorded from the answer, as for a sent reply.
    suggestion.refresh_from_db()
    assert suggestion.reply_id == reply.pk
    assert suggestion.decision in (Suggestion.Decision.ACCEPTED, Suggestion.Decision.EDITED)


def test_a_reply_sent_the_usual_way_still_gets_its_delivery(office):
    """The control: without ``given``, reply_sent still writes the reply's outbox row."""
    case = _phone_case(office)
    case_services.case_send_reply(actor=office.agent, case=case, body=ANSWER)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED  # no route: the very failure avoided above


@pytest.mark.parametrize("role", ["agent", "manager", "administrator"])
def test_every_role_that_works_cases_records_one(office, browser, role):
    user = getattr(office, role)
    assert browser(user).get(NEW).status_code == 200
    browser(user).post(NEW, _valid())
    case = Case.objects.get()
    assert (case.administration_id, case.assignee_id) == (office.administration.pk, user.pk)


def test_recording_the_same_answer_twice_records_it_once(office, browser):
    """A double click, or Back then the button again: the second post finds the answer."""
    case = _phone_case(office)
    client = browser(office.agent)
    data = {"body": ANSWER, "version": case.version, "given": "phone"}
    url = reverse("cases:answer_given", args=[case.pk])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 302 and again["Location"] == f"{detail(case)}?envoye=1"
    assert any("already recorded" in message for message in flashed(again))
    assert Reply.objects.filter(case=case).count() == 1
    # Another text on the stale page is not taken for the same answer: refused as stale.
    other = client.post(url, {**data, "body": "Une autre réponse, donnée plus tard."})
    assert other.status_code == 409
    assert Reply.objects.filter(case=case).count() == 1
