"""The usager satisfaction survey: the e-mail after a reply, the signed link, one response."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction

from cases import services
from cases.models import SatisfactionResponse, Status
from cases.survey.services import SALT, survey_token
from tests.case_states import REPLY_TEXT, bring_to
from tests.factories import make_case

AI_WORDS = re.compile(
    r"\bIA\b|\bAI\b|intelligence artificielle|brouillon|mod[eè]le|suggestion", re.I
)


def _send_reply(office, django_capture_on_commit_callbacks, **case_kwargs):
    case = make_case(office.administration, **case_kwargs)
    case = services.case_take(actor=office.agent, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    return case


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/enquete/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _old_token(case_id: int, days: int) -> str:
    class Backdated(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86_400)

    return Backdated(salt=SALT).sign_object({"c": case_id}, compress=False)


def test_sending_a_reply_mails_the_usager_a_survey_link(office, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    case = _send_reply(office, django_capture_on_commit_callbacks)
    # The reply itself also goes out by e-mail (the delivery): the survey is its own message.
    surveys = [m for m in mail.outbox if "/enquete/" in m.body]
    assert len(surveys) == 1
    message = surveys[0]
    # It follows the reply itself: the usager is asked about a reply they have.
    replies = [i for i, m in enumerate(mail.outbox) if "/enquete/" not in m.body]
    assert replies and replies[0] < mail.outbox.index(message)
    assert message.to == ["camille.martin@example.org"]
    assert case.reference in message.subject
    assert "/enquete/" in message.body
    assert not AI_WORDS.search(message.subject + message.body)


def test_no_survey_for_a_reply_that_did_not_reach_the_usager(
    office, django_capture_on_commit_callbacks, settings
):
    """The mail server refuses the reply: the usager is not asked about a reply they never got."""
    settings.EMAIL_BACKEND = "tests.cases.test_survey.RefusingBackend"
    mail.outbox.clear()
    case = _send_reply(office, django_capture_on_commit_callbacks)
    assert case.replies.get().delivery.status != "delivered"
    assert mail.outbox == []


class RefusingBackend:
    """A mail server that refuses the reply and would take anything else (a survey)."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if any("/enquete/" not in message.body for message in messages):
            raise OSError("the mail server refuses the message")
        mail.outbox.extend(messages)
        return len(messages)


def test_one_invitation_however_many_times_the_delivery_is_recorded(
    office, django_capture_on_commit_callbacks
):
    """A delivery recorded again (a retry after a bounce) does not invite the usager twice."""
    from cases import signals
    from cases.models import Delivery

    mail.outbox.clear()
    case = _send_reply(office, django_capture_on_commit_callbacks)
    reply = case.replies.get()
    with django_capture_on_commit_callbacks(execute=True):
        signals.reply_delivered.send(sender=Delivery, case_id=case.pk, reply_id=reply.pk)
    assert len([m for m in mail.outbox if "/enquete/" in m.body]) == 1


def test_no_mail_without_a_contact_address(office, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    _send_reply(office, django_capture_on_commit_callbacks, usager_email="")
    assert [m for m in mail.outbox if "/enquete/" in m.body] == []


def test_anonymous_usager_answers_once_and_the_link_then_refuses(
    client, office, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    case = _send_reply(office, django_capture_on_commit_callbacks)
    url = _link(next(m for m in mail.outbox if "/enquete/" in m.body))

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert case.reference in text
    # Nothing about the case beyond its reference, and nothing about how the reply was written.
    assert case.subject not in text and "Camille" not in text
    assert office.administration.name not in text
    assert not AI_WORDS.search(re.sub(r"<[^>]+>", " ", text))
    # Never sent to another site (the token is in the URL); kept on our own origin, else the
    # browser sends "Origin: null" with the form and the CSRF check refuses it.
    assert page["Referrer-Policy"] == "same-origin"

    done = client.post(url, {"rating": "4", "answered": "partly", "comment": "Merci, assez clair."})
    assert done.status_code == 200
    assert "enregistré" in done.content.decode()
    response = SatisfactionResponse.objects.get(case=case)
    assert (response.rating, response.answered, response.comment) == (
        4,
        "partly",
        "Merci, assez clair.",
    )
    assert response.administration_id == office.administration.pk

    again = client.post(url, {"rating": "1", "answered": "no"})
    assert again.status_code == 410
    assert "déjà" in again.content.decode()
    assert client.get(url).status_code == 410
    assert SatisfactionResponse.objects.filter(case=case).count() == 1
    assert SatisfactionResponse.objects.get(case=case).rating == 4


def test_database_keeps_one_response_per_case(office):
    case = bring_to(Status.ANSWERED, office)
    SatisfactionResponse.objects.create(
        case=case, administration=office.administration, rating=5, answered="yes"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionResponse.objects.create(
            case=case, administration=office.administration, rating=1, answered="no"
        )


def test_expired_link_is_refused_with_an_explanation(client, office, settings):
    settings.SURVEY_LINK_MAX_AGE_DAYS = 30
    case = bring_to(Status.ANSWERED, office)
    fresh = client.get(f"/enquete/{_old_token(case.pk, days=29)}/")
    assert fresh.status_code == 200
    page = client.get(f"/enquete/{_old_token(case.pk, days=31)}/")
    assert page.status_code == 410
    assert "expiré" in page.content.decode()
    posted = client.post(
        f"/enquete/{_old_token(case.pk, days=31)}/", {"rating": "5", "answered": "yes"}
    )
    assert posted.status_code == 410
    assert not SatisfactionResponse.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature altered
        lambda token: "x" + token,  # payload altered
        lambda token: "pas-un-jeton",
    ],
)
def test_tampered_link_is_refused(client, office, mangle):
    case = bring_to(Status.ANSWERED, office)
    page = client.post(
        f"/enquete/{mangle(survey_token(case.pk))}/", {"rating": "5", "answered": "yes"}
    )
    assert page.status_code == 400
    assert "pas valide" in page.content.decode()
    assert case.reference not in page.content.decode()
    assert not SatisfactionResponse.objects.exists()


def test_link_signed_for_another_purpose_is_refused(client, office):
    case = bring_to(Status.ANSWERED, office)
    other_salt = signing.dumps({"c": case.pk})  # same key, no survey salt
    assert client.get(f"/enquete/{other_salt}/").status_code == 400


def test_invalid_answers_are_explained_and_nothing_is_recorded(client, office):
    case = bring_to(Status.ANSWERED, office)
    url = f"/enquete/{survey_token(case.pk)}/"
    page = client.post(url, {"rating": "9", "answered": "maybe", "comment": "x" * 3000})
    assert page.status_code == 400
    assert not SatisfactionResponse.objects.exists()
    assert 'id="rating-errors"' in page.content.decode()
    assert 'id="answered-errors"' in page.content.decode()


def test_page_is_rate_limited_per_address(client, office, settings):
    settings.SURVEY_RATE_LIMIT = 3
    settings.SURVEY_RATE_WINDOW_SECONDS = 120
    case = bring_to(Status.ANSWERED, office)
    url = f"/enquete/{survey_token(case.pk)}/"
    for _ in range(3):
        assert client.get(url).status_code == 200
    limited = client.get(url)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "120"
    # Guessing tokens counts too, and another address is not affected.
    assert client.get("/enquete/devine/").status_code == 429
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200


# --- after an answer given at the counter or on the phone --------------------------------------

ORAL_ANSWER = (
    "Je lui ai expliqué qu'il faut déclarer la perte sur le compte ameli, puis commander une "
    "nouvelle carte ; ses droits restent ouverts en attendant."
)


def _record_answer_given(office, capture, *, given: str, **case_kwargs):
    from cases.counter.services import case_record_answer_given
    from cases.models import Channel

    case = make_case(office.administration, channel=Channel.FRANCE_SERVICES, **case_kwargs)
    case = services.case_take(actor=office.agent, case=case)
    with capture(execute=True):
        case_record_answer_given(actor=office.agent, case=case, body=ORAL_ANSWER, given=given)
    return case


@pytest.mark.parametrize(
    ("given", "subject_words", "body_words"),
    [
        ("counter", "the answer given at our counter", "in person, at its counter"),
        ("phone", "the answer given on the phone", "answered your request"),
    ],
)
def test_an_answer_given_orally_is_followed_by_a_survey_that_says_how(
    client, office, django_capture_on_commit_callbacks, settings, given, subject_words, body_words
):
    """Nothing is delivered, and yet the usager who left an address is asked, in words about
    the answer they heard (the catalogue's source language, so that the test reads the words
    written in the code)."""
    settings.LANGUAGE_CODE = "en"
    mail.outbox.clear()
    case = _record_answer_given(office, django_capture_on_commit_callbacks, given=given)
    # The only mail: no reply was sent, the survey is its own message.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille.martin@example.org"]
    assert case.reference in message.subject
    assert subject_words in message.subject
    assert body_words in message.body
    assert f"{case.reference} {'on the phone' if given == 'phone' else 'in person'}" in (
        message.body
    )
    assert "answer you were given" in message.body
    assert "replied" not in message.body and "our reply" not in message.subject
    assert not AI_WORDS.search(message.subject + message.body)
    # Like the written reply's invitation: in the case's thread, marked automatic.
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    # The link is the survey's, and the usager's one response is recorded.
    url = _link(message)
    assert client.get(url).status_code == 200
    assert client.post(url, {"rating": "5", "answered": "yes"}).status_code == 200
    assert SatisfactionResponse.objects.get(case=case).rating == 5


def test_a_written_reply_keeps_its_own_words(office, django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "en"
    mail.outbox.clear()
    _send_reply(office, django_capture_on_commit_callbacks)
    survey = next(m for m in mail.outbox if "/enquete/" in m.body)
    assert survey.subject.startswith("Your opinion on our reply")
    assert "has replied to your request" in survey.body
    assert "counter" not in survey.body and "phone" not in survey.body


def test_no_survey_after_an_answer_given_to_a_usager_without_an_address(
    office, browser, django_capture_on_commit_callbacks
):
    """Nothing is sent, and the case page says so under the answer."""
    mail.outbox.clear()
    case = _record_answer_given(
        office, django_capture_on_commit_callbacks, given="phone", usager_email=""
    )
    assert mail.outbox == []
    reply = case.replies.get()
    html = browser(office.agent).get(f"/dossiers/{case.pk}/").content.decode()
    assert f'id="no-survey-{reply.pk}"' in html
    assert "No satisfaction survey could be sent: the usager left no e-mail address." in html


def test_the_case_page_says_nothing_of_a_survey_that_could_be_sent(
    office, browser, django_capture_on_commit_callbacks
):
    case = _record_answer_given(office, django_capture_on_commit_callbacks, given="counter")
    html = browser(office.agent).get(f"/dossiers/{case.pk}/").content.decode()
    assert "no-survey-" not in html
    assert "No satisfaction survey" not in html


def test_an_answer_given_after_a_written_reply_invites_nobody_again(
    office, django_capture_on_commit_callbacks
):
    """The survey is about the first reply, once per case, however it reached the usager."""
    from cases.counter.services import case_record_answer_given

    mail.outbox.clear()
    case = _send_reply(office, django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if "/enquete/" in m.body]) == 1
    case = services.case_transition(actor=office.agent, case=case, action="reopen", reason="")
    with django_capture_on_commit_callbacks(execute=True):
        case_record_answer_given(actor=office.agent, case=case, body=ORAL_ANSWER, given="phone")
    assert case.replies.count() == 2
    assert len([m for m in mail.outbox if "/enquete/" in m.body]) == 1


def test_a_second_answer_given_invites_nobody_again(office, django_capture_on_commit_callbacks):
    from cases.counter.services import case_record_answer_given

    mail.outbox.clear()
    case = _record_answer_given(office, django_capture_on_commit_callbacks, given="counter")
    assert len(mail.outbox) == 1
    case = services.case_transition(actor=office.agent, case=case, action="reopen", reason="")
    with django_capture_on_commit_callbacks(execute=True):
        case_record_answer_given(actor=office.agent, case=case, body=ORAL_ANSWER, given="phone")
    assert len(mail.outbox) == 1
