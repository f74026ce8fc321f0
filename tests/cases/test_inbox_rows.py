"""The inbox's rows and filters as the page writes them (cases/inbox_rows.py): the words, the
due day in the site's time zone (``TIME_ZONE``), who may take a case, escaping, and the chosen
filter options. The rows are prepared in Python for speed: these tests hold what the template
used to compute itself."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases import services as case_services
from cases.inbox_rows import SUBJECT_CHARS, inbox_rows
from cases.models import Case, Channel, Priority, Status
from tests.cases.workspace_pages import text_of
from tests.factories import make_case, make_member, make_topic


def _row(html: str, case: Case) -> str:
    match = re.search(rf'<tr data-case="{case.pk}"[^>]*>(.*?)</tr>', html, flags=re.S)
    assert match, f"case {case.pk} is not listed"
    return match.group(1)


@pytest.fixture
def inbox(browser):
    """``inbox(user, language="en", **filters)``: the HTML of the user's "all" box."""

    def page(user, language: str = "en", **params) -> str:
        query = "&".join(f"{key}={value}" for key, value in {"box": "all", **params}.items())
        response = browser(user, language).get(f"{reverse('cases:inbox')}?{query}")
        assert response.status_code == 200
        return response.content.decode()

    return page


def test_a_row_says_reference_channel_topic_and_an_unusual_priority(inbox, office):
    topic = make_topic(office.administration, name="Logement")
    urgent = make_case(
        office.administration, channel=Channel.PHONE, topic=topic, priority=Priority.URGENT
    )
    normal = make_case(office.administration, channel=Channel.EMAIL)
    html = inbox(office.manager, language="fr")
    urgent_row, normal_row = text_of(_row(html, urgent)), text_of(_row(html, normal))
    assert (
        f"{urgent.reference} · Téléphone · Logement · Priorité : Urgente"
    )  # spaces as text_of reads them in urgent_row
    assert f"{normal.reference} · Courriel" in normal_row
    assert "Priorité" not in normal_row  # the usual priority goes without saying
    assert "Nouveau" in urgent_row  # the status, in words


def test_the_assignee_is_named_by_full_name_or_email_and_nobody_otherwise(inbox, office):
    no_name = make_member(office.administration, first_name="", last_name="")
    named = make_case(office.administration)
    case_services.case_take(actor=office.agent, case=named)
    by_email = make_case(office.administration)
    case_services.case_take(actor=no_name, case=by_email)
    unassigned = make_case(office.administration)
    html = inbox(office.manager)
    assert office.agent.get_full_name() in text_of(_row(html, named))
    assert no_name.email in text_of(_row(html, by_email))
    assert "Nobody" in text_of(_row(html, unassigned))


def test_only_a_new_unassigned_case_offers_take(inbox, office):
    queued = make_case(office.administration)
    taken = make_case(office.administration)
    case_services.case_take(actor=office.agent2, case=taken)
    html = inbox(office.manager)
    take_url = reverse("cases:take", args=[queued.pk])
    assert f'action="{take_url}"' in _row(html, queued)
    assert 'name="csrfmiddlewaretoken"' in _row(html, queued)
    assert "cases:take" not in _row(html, taken) and "<form" not in _row(html, taken)
    assert f'href="{reverse("cases:detail", args=[taken.pk])}"' in _row(html, taken)


def test_the_due_date_is_the_site_s_local_day(inbox, office, settings):
    # 23:30 UTC on 31 March is 1 April in Paris: the row shows the usager's and agent's day.
    case = make_case(office.administration)
    due = dt.datetime(2031, 3, 31, 23, 30, tzinfo=dt.UTC)
    Case.objects.filter(pk=case.pk).update(due_at=due)
    html = inbox(office.manager)
    local = due.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%d/%m/%Y")
    assert local in text_of(_row(html, case))


def test_a_long_subject_is_cut_and_markup_in_it_is_shown_as_text(inbox, office):
    long = make_case(office.administration, subject="Allocation " * 20)
    hostile = make_case(office.administration, subject='<script>alert("x")</script> & <b>gras</b>')
    html = inbox(office.manager)
    link = re.search(r'<a href="[^"]+">(.*?)</a>', _row(html, long)).group(1)
    assert len(unescape(link)) == SUBJECT_CHARS and unescape(link).endswith("…")
    hostile_row = _row(html, hostile)
    assert "<script>" not in hostile_row and "<b>" not in hostile_row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;gras" in hostile_row


def test_the_chosen_filters_stay_selected(inbox, office):
    topic = make_topic(office.administration, name="Famille")
    html = inbox(
        office.manager,
        status=Status.IN_PROGRESS,
        channel=Channel.PHONE,
        topic=topic.pk,
        priority=Priority.HIGH,
    )
    selected = dict(
        re.findall(
            r'<select class="fr-select" name="(\w+)".*?<option value="([^"]*)" selected>',
            html,
            flags=re.S,
        )
    )
    assert selected == {
        "status": Status.IN_PROGRESS,
        "channel": Channel.PHONE,
        "topic": str(topic.pk),
        "priority": str(Priority.HIGH),
    }
    # Without a filter, "All" is the chosen option of each list.
    plain = inbox(office.manager)
    chosen = re.findall(r'<option value="([^"]*)" selected>', plain)
    assert chosen == ["", "", "", ""]


def test_a_value_outside_the_choices_is_shown_as_stored():
    """The database refuses such a status today; a channel or priority retired from the choices
    would still show, as it is, rather than break the page."""
    now = timezone.now()
    values = {
        "id": 7,
        "reference": "X-2026-000007",
        "channel": "fax",
        "subject": "Ancien canal",
        "status": "legacy",
        "priority": 9,
        "topic_id": None,
        "topic__name": None,
        "assignee_id": None,
        "assignee__first_name": None,
        "assignee__last_name": None,
        "assignee__email": None,
        "due_at": now,
    }
    with translation.override("fr"):
        (row,) = inbox_rows([values], now=now)
    assert row.status == "legacy"
    assert row.details == "X-2026-000007 · fax · Priorité\u00a0: 9"
    assert row.urgency == "" and row.takeable is False and row.assignee == ""
