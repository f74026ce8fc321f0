"""The subject a new case from an e-mail is listed under (and its replies are sent with):
the mail's, without the answer and forward prefixes of mail clients; when nothing is left, the
beginning of the usager's text."""

from __future__ import annotations

import pytest

from cases.intake.mail import email_receive

from .test_mail_forwards import forward

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(
    ("subject", "body", "listed"),
    [
        ("RE:", "Bonjour,\nJe n'ai pas reçu ma pension de novembre.", "Je n'ai pas reçu"),
        ("TR: RE: Fwd:", "Voir la relance ci-jointe.", "Voir la relance ci-jointe."),
        ("RE[2]: Ma pension", "Toujours rien.", "Ma pension"),
        ("Re: ", "Bonjour,", "(sans objet)"),
        ("", "x" * 30 + " " + "y" * 60, "x" * 30 + "…"),
    ],
)
def test_a_new_case_is_listed_under_a_subject_that_says_something(
    office, subject, body, listed, django_capture_on_commit_callbacks
):
    """A usager answering an old mail of theirs with a subject of "RE:" alone: the case was
    listed as "RE:" in the queue, and the reply went out as "[ref] RE:"."""
    with django_capture_on_commit_callbacks(execute=True):
        case = email_receive(
            administration=office.administration, raw=bytes(forward(subject, body))
        ).case
    assert case.subject.startswith(listed)
