"""The agent workspace through Django's test client: the home page and the inbox.

The home page's counts and tiles; the inbox's boxes (mine, queue, all), its filters, its
due-date badges and its keyset pagination.

Every test signs in with ``force_login`` (the ``browser`` fixture of tests/cases/conftest.py)
and reads the HTML the agent would read. Pages are asked for in English (Accept-Language) so
that assertions on wording do not depend on the state of the French catalogue.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from cases import services as case_services
from cases.models import Case, Channel, Priority, Status
from tests.case_states import bring_to
from tests.cases.workspace_pages import detail, inbox_url, listed, text_of
from tests.factories import UserFactory, make_case, make_member, make_topic

pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------------------


def inbox_row(response, case: Case) -> str:
    match = re.search(
        rf'<tr data-case="{case.pk}"[^>]*>(.*?)</tr>', response.content.decode(), flags=re.S
    )
    assert match, f"case {case.pk} is not listed"
    return match.group(1)


# --- home ------------------------------------------------------------------------------------


def test_home_shows_the_counts_of_the_current_administration(office, browser):
    bring_to(Status.ASSIGNED, office)
    bring_to(Status.IN_PROGRESS, office)
    make_case(office.administration)
    make_case(office.administration, created_at=timezone.now() - dt.timedelta(days=40))
    late = make_case(office.administration, created_at=timezone.now() - dt.timedelta(days=40))
    case_services.case_take(actor=office.agent, case=late)
    overdue_of_a_colleague = make_case(
        office.administration, created_at=timezone.now() - dt.timedelta(days=40)
    )
    case_services.case_take(actor=office.agent2, case=overdue_of_a_colleague)
    response = browser(office.agent).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="count-mine">\s*3\s*<', html), html
    assert re.search(r'id="count-queue">\s*2\s*<', html)
    # "Overdue" beside "My open cases" counts the same scope: mine (not the colleague's, not
    # the queue's).
    assert re.search(r'id="count-overdue">\s*1\s*<', html)
    assert escape(office.administration.name) in html


def test_home_tiles_are_links_to_their_boxes(office, browser):
    html = browser(office.agent).get(reverse("home")).content.decode()
    inbox = reverse("cases:inbox")
    for tile, query in (
        ("tile-mine", "box=mine"),
        ("tile-overdue", "box=mine&amp;overdue=on"),
        ("tile-queue", "box=queue"),
    ):
        block = html.split(f'id="{tile}"', 1)[1].split("</h2>", 1)[0]
        assert f'href="{inbox}?{query}"' in block, block
    # The overdue tile's link lists exactly the cases it counts.
    late = make_case(office.administration, created_at=timezone.now() - dt.timedelta(days=40))
    case_services.case_take(actor=office.agent, case=late)
    make_case(office.administration, created_at=timezone.now() - dt.timedelta(days=40))
    response = browser(office.agent).get(f"{inbox}?box=mine&overdue=on")
    assert listed(response) == [late.pk]


def test_home_of_a_user_without_administration_says_so(office, browser):
    response = browser(UserFactory()).get(reverse("home"))
    assert response.status_code == 200
    assert "not a member of any administration" in response.content.decode()
    assert 'id="count-mine"' not in response.content.decode()


def test_inbox_of_a_user_without_administration_goes_home(office, browser):
    response = browser(UserFactory()).get(reverse("cases:inbox"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_anonymous_visitors_are_sent_to_the_login_page(office):
    case = make_case(office.administration)
    client = Client()
    for url in (reverse("home"), reverse("cases:inbox"), detail(case)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


# --- inbox: boxes ----------------------------------------------------------------------------


@pytest.fixture
def spread(office):
    """Open cases of the agent, of the other agent, of the queue, and one closed case."""
    return {
        "agent": bring_to(Status.ASSIGNED, office),
        "agent_working": bring_to(Status.IN_PROGRESS, office),
        "agent_answered": bring_to(Status.ANSWERED, office),
        "agent2": case_services.case_take(
            actor=office.agent2, case=make_case(office.administration)
        ),
        "queue": make_case(office.administration),
        "closed": bring_to(Status.CLOSED, office),
    }


def test_mine_box_lists_the_agents_open_cases_only(office, browser, spread):
    response = browser(office.agent).get(inbox_url(box="mine"))
    assert response.status_code == 200
    assert set(listed(response)) == {spread["agent"].pk, spread["agent_working"].pk}


def test_mine_is_the_default_box(office, browser, spread):
    response = browser(office.agent).get(reverse("cases:inbox"))
    assert response.context["box"] == "mine"
    assert set(listed(response)) == {spread["agent"].pk, spread["agent_working"].pk}


def test_queue_box_lists_unassigned_new_cases_with_a_take_button(office, browser, spread):
    response = browser(office.agent).get(inbox_url(box="queue"))
    assert listed(response) == [spread["queue"].pk]
    assert reverse("cases:take", args=[spread["queue"].pk]) in inbox_row(response, spread["queue"])
    # The row's links, built from one reverse per name, are the ones reverse gives.
    assert f'href="{reverse("cases:detail", args=[spread["queue"].pk])}"' in inbox_row(
        response, spread["queue"]
    )


def test_all_box_falls_back_to_mine_for_an_agent(office, browser, spread):
    client = browser(office.agent)
    everything = client.get(inbox_url(box="all"))
    mine = client.get(inbox_url(box="mine"))
    assert everything.status_code == 200
    assert everything.context["box"] == "mine"
    assert listed(everything) == listed(mine)
    assert spread["agent2"].pk not in listed(everything)
    # The agent is not even offered the box.
    assert 'href="?box=all"' not in everything.content.decode()


def test_all_box_shows_a_manager_the_whole_administration(office, browser, spread):
    response = browser(office.manager).get(inbox_url(box="all"))
    assert response.context["box"] == "all"
    assert 'href="?box=all"' in response.content.decode()
    shown = set(listed(response))
    for key in ("agent", "agent_working", "agent2", "queue"):
        assert spread[key].pk in shown, key


def test_all_box_lists_as_many_cases_as_its_label_counts(office, browser, spread):
    response = browser(office.manager).get(inbox_url(box="all"))
    count = response.context["counts"]["all"]
    assert (
        "All cases" in response.content.decode() or "Tous les dossiers" in response.content.decode()
    )
    assert len(listed(response)) == count


def test_inbox_of_an_administration_shows_none_of_another(office, elsewhere, browser, spread):
    outsider = make_member(elsewhere, Role.MANAGER)
    make_case(elsewhere)
    response = browser(outsider).get(inbox_url(box="all"))
    assert response.status_code == 200
    assert not set(listed(response)) & {case.pk for case in spread.values()}
    assert len(listed(response)) == 1


@pytest.mark.parametrize("params", [{"open": "1"}, {"due_soon": "1"}, {}])
def test_the_inbox_banner_names_no_user_of_another_administration(
    office, elsewhere, browser, params
):
    outsider = make_member(elsewhere, Role.AGENT, first_name="Zéphyrin", last_name="Ailleurs")
    response = browser(office.agent).get(inbox_url(assignee=outsider.pk, **params))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zéphyrin" not in html and "Ailleurs" not in html and outsider.email not in html
    assert response.context["drill_down"].split(" · ")[0] in ("Open cases of —", "Cases of —")


def test_the_inbox_banner_names_a_member_of_the_administration(office, browser):
    manager = browser(office.manager)
    response = manager.get(inbox_url(open="1", assignee=office.agent2.pk))
    assert response.context["drill_down"] == f"Open cases of {office.agent2.display_name}"
    response = manager.get(inbox_url(assignee=office.agent2.pk))
    assert response.context["drill_down"] == f"Cases of {office.agent2.display_name}"


# --- inbox: filters --------------------------------------------------------------------------


@pytest.fixture
def varied(office):
    now = timezone.now()
    topic = make_topic(office.administration, "Déménagement")
    return {
        "plain": make_case(office.administration),
        "phone": make_case(office.administration, channel=Channel.PHONE),
        "topic": make_case(office.administration, topic=topic),
        "urgent": make_case(office.administration, priority=Priority.URGENT),
        "overdue": make_case(office.administration, created_at=now - dt.timedelta(days=30)),
        "overdue_closed": case_services.case_transition(
            actor=office.manager,
            case=make_case(office.administration, created_at=now - dt.timedelta(days=30)),
            action="close",
        ),
        "search": make_case(
            office.administration,
            subject="Changement d'adresse",
            body="Nous déménageons à Villeurbanne le mois prochain.",
        ),
        "working": bring_to(Status.IN_PROGRESS, office),
        "topic_obj": topic,
    }


def test_inbox_filters(office, browser, varied, subtests):
    client = browser(office.manager)
    topic = varied["topic_obj"]
    cases = {key: value for key, value in varied.items() if isinstance(value, Case)}
    expectations = {
        "status=in_progress": {"working"},
        "status=closed": {"overdue_closed"},
        "channel=phone": {"phone"},
        f"topic={topic.pk}": {"topic"},
        f"priority={Priority.URGENT}": {"urgent"},
        "overdue=on": {"overdue"},
        "q=villeurbanne": {"search"},
        "q=Changement+adresse": {"search"},
        f"q={varied['phone'].reference}": {"phone"},
        "channel=phone&priority=4": set(),
    }
    for query, expected in expectations.items():
        with subtests.test(query=query):
            response = client.get(f"{reverse('cases:inbox')}?box=all&{query}")
            assert response.status_code == 200
            assert set(listed(response)) == {cases[key].pk for key in expected}


def test_the_search_finds_a_case_by_its_number_alone(office, browser):
    """Usagers quote "206" or "000206" on the phone for CAF69-2026-000206."""
    case = make_case(office.administration, subject="Une question précise")
    other = make_case(office.administration, subject="Une autre question")
    number = case.reference.rsplit("-", 1)[1]
    client = browser(office.agent)
    for q in (number, str(int(number)), case.reference):
        html = client.get(inbox_url(box="queue", q=q)).content.decode()
        assert "Une question précise" in html and "Une autre question" not in html, q
    # Other digits than 0-9 are words like any other (no error, no case number).
    for q in ("²", "m²", "١٢٣"):
        assert client.get(inbox_url(box="queue", q=q)).status_code == 200, q
    assert other.reference != case.reference


def test_a_filter_at_fault_is_said_and_the_others_still_apply(office, browser):
    """A search too long or a stale link's value: the page says so, and the box and the
    other filters still apply (the agent would believe all these cases match)."""
    case_services.case_take(
        actor=office.agent, case=make_case(office.administration, subject="Dossier à moi")
    )
    make_case(office.administration, subject="Dossier en attente")
    client = browser(office.agent)
    for params in ({"box": "queue", "q": "x" * 201}, {"box": "queue", "status": "bogus"}):
        html = client.get(inbox_url(**params)).content.decode()
        assert 'id="inbox-filter-errors"' in html, params
        assert "Dossier en attente" in html and "Dossier à moi" not in html, params


def test_filters_apply_inside_the_agents_box(office, browser):
    mine_email = bring_to(Status.ASSIGNED, office)
    mine_phone = case_services.case_take(
        actor=office.agent, case=make_case(office.administration, channel=Channel.PHONE)
    )
    make_case(office.administration, channel=Channel.PHONE)  # in the queue, not mine
    response = browser(office.agent).get(inbox_url(box="mine", channel="phone"))
    assert listed(response) == [mine_phone.pk]
    assert mine_email.pk not in listed(response)


def test_the_filter_form_keeps_what_was_chosen(office, browser, varied):
    response = browser(office.manager).get(inbox_url(box="all", channel="phone", q="adresse"))
    html = response.content.decode()
    assert re.search(r'<option value="phone"\s+selected', html)
    assert 'value="adresse"' in html
    assert '<input type="hidden" name="box" value="all">' in html


# --- inbox: due-date badges ------------------------------------------------------------------


def test_overdue_and_due_soon_are_written_out_not_only_coloured(office, browser):
    now = timezone.now()
    overdue = make_case(office.administration, created_at=now - dt.timedelta(days=30))
    soon = make_case(office.administration, created_at=now - dt.timedelta(days=9))
    later = make_case(office.administration)
    closed_late = case_services.case_transition(
        actor=office.manager,
        case=make_case(office.administration, created_at=now - dt.timedelta(days=30)),
        action="close",
    )
    response = browser(office.manager).get(inbox_url(box="all"))
    overdue_row = text_of(inbox_row(response, overdue))
    soon_row = text_of(inbox_row(response, soon))
    assert "Overdue" in overdue_row
    assert "Due within 48 h" in soon_row and "Overdue" not in soon_row
    for quiet in (later, closed_late):
        row_text = text_of(inbox_row(response, quiet))
        assert "Overdue" not in row_text and "Due within" not in row_text
    # The icon is decorative: the badge's words carry the meaning.
    badge = re.search(
        r'<p class="fr-badge fr-badge--error[^"]*">(.*?)</p>', inbox_row(response, overdue), re.S
    )
    assert badge and 'aria-hidden="true"' in badge.group(1) and text_of(badge.group(1))


# --- inbox: keyset pagination ----------------------------------------------------------------


def test_keyset_pages_show_each_case_once_in_due_date_order(office, browser):
    # Twenty cases per received moment: many share a due date across the page boundary.
    base = timezone.now() - dt.timedelta(days=3)
    for hours in (0, 5, 2):
        for _ in range(20):
            make_case(office.administration, created_at=base + dt.timedelta(hours=hours))
    expected = list(
        Case.objects.filter(administration=office.administration, status=Status.NEW)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 60
    client = browser(office.agent)
    url, seen, sizes = inbox_url(box="queue"), [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += listed(response)
        sizes.append(len(listed(response)))
        url = response.context["next_url"]
        if url:
            assert escape(url) in response.content.decode()  # the "Next page" link
            assert "box=queue" in url
    assert sizes == [50, 10]
    assert seen == expected


def test_next_page_keeps_the_filters(office, browser):
    for _ in range(52):
        make_case(office.administration, channel=Channel.PHONE)
    make_case(office.administration)
    client = browser(office.manager)
    first = client.get(inbox_url(box="all", channel="phone"))
    second = client.get(first.context["next_url"])
    assert len(listed(first)) == 50
    assert len(listed(second)) == 2
    assert not set(listed(first)) & set(listed(second))
    assert all(Case.objects.get(pk=pk).channel == Channel.PHONE for pk in listed(second))


def test_first_page_link_keeps_the_filters(office, browser):
    for _ in range(52):
        make_case(office.administration, channel=Channel.PHONE)
    client = browser(office.manager)
    first = client.get(inbox_url(box="all", channel="phone"))
    second = client.get(first.context["next_url"])
    link = re.search(
        r'class="fr-pagination__link fr-pagination__link--first" href="([^"]+)"',
        second.content.decode(),
    )
    assert link
    assert "channel=phone" in unescape(link.group(1))


def test_a_malformed_cursor_gives_the_first_page(office, browser):
    cases = [make_case(office.administration) for _ in range(3)]
    client = browser(office.manager)
    for cursor in ("nonsense", "_", "2026-03-01T09:00:00+00:00_x", "12", "2026-03-01_"):
        response = client.get(inbox_url(box="all", apres=cursor))
        assert response.status_code == 200, cursor
        assert listed(response) == [case.pk for case in cases], cursor


def test_an_impossible_date_in_the_cursor_gives_the_first_page(office, browser):
    case = make_case(office.administration)
    client = browser(office.manager)
    client.raise_request_exception = False
    response = client.get(inbox_url(box="all", apres="2026-13-45T00:00:00_12"))
    assert response.status_code == 200
    assert listed(response) == [case.pk]
