"""What the tests of the agent workspace views (tests/cases/test_views_*.py) share.

Readers of the HTML the agent gets (the inbox's case ids, visible text, flashed messages), the
URLs of the workspace, and a case whose first draft is ready. The signed-in test client is the
``browser`` fixture of tests/cases/conftest.py.
"""

from __future__ import annotations

import re
from html import unescape

from django.contrib.messages import get_messages
from django.urls import reverse

from cases import services as case_services
from cases.models import Case
from drafting.models import Suggestion
from tests.factories import make_case

VITALE_SUBJECT = "Carte Vitale perdue"
VITALE_BODY = (
    "Bonjour, j'ai perdu ma carte Vitale la semaine dernière. Comment en obtenir une nouvelle "
    "et mes droits restent-ils ouverts en attendant ?"
)


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text_of(html: str) -> str:
    """The visible text of a fragment: tags removed, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def listed(response) -> list[int]:
    """The case ids of the inbox table, in the order shown."""
    return [int(pk) for pk in re.findall(r'<tr data-case="(\d+)"[^>]*>', response.content.decode())]


def inbox_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('cases:inbox')}?{query}" if query else reverse("cases:inbox")


def detail(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def suggestions_state(case: Case) -> list[dict]:
    return list(Suggestion.objects.filter(case=case).order_by("pk").values())


def drafted_case(office, capture, *, take: bool = True) -> tuple[Case, Suggestion]:
    """A case about a lost carte Vitale whose first draft is ready (taken by the agent)."""
    with capture(execute=True):
        case = make_case(office.administration, subject=VITALE_SUBJECT, body=VITALE_BODY)
    if take:
        case = case_services.case_take(actor=office.agent, case=case)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == Suggestion.Status.READY, suggestion.error
    return case, suggestion
