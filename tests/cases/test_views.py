"""The agent workspace through Django's test client: home, inbox, case page, drafting panel.

Every test signs in with ``force_login`` and reads the HTML the agent would read. Pages are
asked for in English (Accept-Language) so that assertions on wording do not depend on the
state of the French catalogue; one test runs in French and asserts on structure only.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from cases import presence
from cases import services as case_services
from cases.models import Case, CaseEvent, Channel, InternalNote, Priority, Reply, Status
from drafting.experiment import services as experiment_services
from drafting.models import Arm, CaseArm, Suggestion
from drafting.suggestions import services as suggestion_services
from tests.case_states import REPLY_TEXT, bring_to, counts, row, snapshot
from tests.factories import UserFactory, make_case, make_member, make_topic

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
VITALE_SUBJECT = "Carte Vitale perdue"
VITALE_BODY = (
    "Bonjour, j'ai perdu ma carte Vitale la semaine dernière. Comment en obtenir une nouvelle "
    "et mes droits restent-ils ouverts en attendant ?"
)
AGENT_TEXT = "Madame, bonjour. Votre demande est bien prise en compte : nous revenons vers vous."


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _empty_cache():
    # Presence lives in the (locmem) cache: no viewer may leak from one test to the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser():
    """``browser(user)``: a test client signed in as ``user``, asking for English pages."""

    def sign_in(user, language: str = "en") -> Client:
        client = Client(headers={"accept-language": language})
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return sign_in


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text_of(html: str) -> str:
    """The visible text of a fragment: tags removed, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def listed(response) -> list[int]:
    """The case ids of the inbox table, in the order shown."""
    return [int(pk) for pk in re.findall(r'<tr data-case="(\d+)">', response.content.decode())]


def inbox_row(response, case: Case) -> str:
    match = re.search(
        rf'<tr data-case="{case.pk}">(.*?)</tr>', response.content.decode(), flags=re.S
    )
    assert match, f"case {case.pk} is not listed"
    return match.group(1)


def textarea(response, element_id: str) -> str | None:
    match = re.search(
        rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>',
        response.content.decode(),
        flags=re.S,
    )
    return unescape(match.group(1)) if match else None


def composer(response) -> str:
    html = response.content.decode()
    assert 'id="composer"' in html, "no reply composer on the page"
    return html.split('id="composer"', 1)[1].split("</section>", 1)[0]


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


# --- case page: who sees it ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "agent2", "manager", "administrator"])
def test_members_of_the_administration_see_the_case(office, browser, role):
    case = bring_to(Status.ASSIGNED, office)
    response = browser(getattr(office, role)).get(detail(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference in html
    assert escape(case.body) in html


def test_the_assignee_opening_the_case_starts_the_handling_clock(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    browser(office.manager).get(detail(case))
    assert row(case)["first_opened_at"] is None
    browser(office.agent).get(detail(case))
    assert row(case)["first_opened_at"] is not None


@pytest.fixture
def outsiders(elsewhere):
    return {role: make_member(elsewhere, role) for role in Role.values}


@pytest.fixture
def foreign_world(office, django_capture_on_commit_callbacks, vitale_article):
    """A queue case and a case in progress of ``office``, each with a ready draft."""
    queue_case, queue_draft = drafted_case(office, django_capture_on_commit_callbacks, take=False)
    work_case, work_draft = drafted_case(office, django_capture_on_commit_callbacks)
    work_case = case_services.case_transition(actor=office.agent, case=work_case, action="start")
    return {"queue": (queue_case, queue_draft), "work": (work_case, work_draft)}


def _case_requests(world, elsewhere, office):
    """name -> (method, url, data) for every URL of a case, each in a state that allows it."""
    queue_case, _queue_draft = world["queue"]
    case, draft = world["work"]
    version = case.version
    return {
        "detail": ("get", detail(case), {}),
        "presence": ("get", reverse("cases:presence", args=[case.pk]), {}),
        "take": ("post", reverse("cases:take", args=[queue_case.pk]), {}),
        "action": (
            "post",
            reverse("cases:transition", args=[case.pk]),
            {"action": "await_usager", "version": version},
        ),
        "assign": (
            "post",
            reverse("cases:assign", args=[case.pk]),
            {"assignee": office.agent2.pk, "version": version},
        ),
        "note": ("post", reverse("cases:note", args=[case.pk]), {"body": "Vu, je m'en occupe."}),
        "reply": (
            "post",
            reverse("cases:reply", args=[case.pk]),
            {"body": REPLY_TEXT, "version": version, "confirmed": "on"},
        ),
        "transfer": (
            "post",
            reverse("cases:transfer", args=[case.pk]),
            {"target": elsewhere.pk, "reason": "Relève de chez nous.", "version": version},
        ),
        "panel": ("get", reverse("drafting:panel", args=[case.pk]), {}),
        "new_draft": ("post", reverse("drafting:request", args=[case.pk]), {}),
        "discard": ("post", reverse("drafting:discard", args=[draft.pk]), {"reason": "wrong"}),
    }


CASE_URLS = [
    "detail",
    "presence",
    "take",
    "action",
    "assign",
    "note",
    "reply",
    "transfer",
    "panel",
    "new_draft",
    "discard",
]


def _world_state(world) -> tuple:
    cases = [world["queue"][0], world["work"][0]]
    return (
        [row(case) for case in cases],
        counts(),
        [suggestions_state(case) for case in cases],
        Suggestion.objects.count(),
        CaseArm.objects.count(),
    )


@pytest.mark.parametrize("name", CASE_URLS)
def test_staff_of_another_administration_get_404_on_every_case_url_and_change_nothing(
    office, elsewhere, outsiders, foreign_world, browser, django_capture_on_commit_callbacks, name
):
    method, url, data = _case_requests(foreign_world, elsewhere, office)[name]
    before = _world_state(foreign_world)
    for role, outsider in outsiders.items():
        client = browser(outsider)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = getattr(client, method)(url, data)
        assert response.status_code == 404, (role, name, response.status_code)
        assert callbacks == [], (role, name)
        assert _world_state(foreign_world) == before, (role, name)
        assert not flashed(response), (role, name)
    # Nobody of the other administration shows up as "also on this case".
    work_case = foreign_world["work"][0]
    assert presence.others(work_case.pk, office.agent.pk) == []


@pytest.mark.parametrize("name", CASE_URLS)
def test_a_case_that_does_not_exist_answers_the_same_404(office, elsewhere, browser, name):
    missing = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 10_000

    class Ghost:
        pk = missing
        version = 1

    world = {"queue": (Ghost, Ghost), "work": (Ghost, Ghost)}
    method, url, data = _case_requests(world, elsewhere, office)[name]
    response = getattr(browser(office.manager), method)(url, data)
    assert response.status_code == 404


# --- case page: taking, actions, assignment --------------------------------------------------


def test_agent_takes_a_case_from_the_queue(office, browser):
    case = make_case(office.administration)
    response = browser(office.agent).post(reverse("cases:take", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == detail(case)
    stored = row(case)
    assert stored["assignee_id"] == office.agent.pk
    assert stored["status"] == Status.ASSIGNED
    assert flashed(response) == ["The case is yours."]


def test_taking_a_case_already_taken_is_refused_with_a_message(office, browser):
    case = case_services.case_take(actor=office.agent, case=make_case(office.administration))
    before = snapshot(case)
    response = browser(office.agent2).post(reverse("cases:take", args=[case.pk]))
    assert response.status_code == 302
    assert any("no longer in the queue" in message for message in flashed(response))
    assert snapshot(case) == before


def test_the_case_page_offers_the_actions_of_the_current_status(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    html = browser(office.agent).get(detail(case)).content.decode()
    offered = set(re.findall(r'data-action="(\w+)"', html))
    assert offered == {"release", "start", "await_usager", "close"}


def test_an_allowed_action_moves_the_case(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    response = browser(office.agent).post(
        reverse("cases:transition", args=[case.pk]),
        {"action": "start", "version": case.version},
    )
    assert response.status_code == 302
    assert response["Location"] == detail(case)
    stored = row(case)
    assert stored["status"] == Status.IN_PROGRESS
    assert stored["version"] == case.version + 1
    assert flashed(response) == ["Done: Start."]


@pytest.mark.parametrize("action", ["resume", "reopen", "answer", "transfer", "fly", ""])
def test_an_action_not_allowed_is_refused_with_a_message_and_changes_nothing(
    office, browser, action
):
    case = bring_to(Status.ASSIGNED, office)
    before = snapshot(case)
    response = browser(office.agent).post(
        reverse("cases:transition", args=[case.pk]), {"action": action, "version": case.version}
    )
    assert response.status_code == 302
    messages = flashed(response)
    assert len(messages) == 1 and not messages[0].startswith("Done"), messages
    assert snapshot(case) == before
    follow = browser(office.agent).get(detail(case))
    assert follow.status_code == 200


def test_an_action_from_a_stale_page_is_refused_and_changes_nothing(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    stale_version = case.version
    # The manager moves the case while the agent's page is open.
    case_services.case_transition(actor=office.manager, case=case, action="await_usager")
    before = snapshot(case)
    response = browser(office.agent).post(
        reverse("cases:transition", args=[case.pk]),
        {"action": "close", "version": stale_version},
    )
    assert response.status_code == 302
    assert any("changed by someone else" in message for message in flashed(response))
    assert snapshot(case) == before


def test_an_agent_acting_on_a_colleagues_case_gets_a_message_and_nothing_changes(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    before = snapshot(case)
    response = browser(office.agent2).post(
        reverse("cases:transition", args=[case.pk]), {"action": "start", "version": case.version}
    )
    assert response.status_code == 302
    assert flashed(response) == ["This case is assigned to someone else."]
    assert snapshot(case) == before
    # ...and the colleague's page does not offer the buttons in the first place.
    html = browser(office.agent2).get(detail(case)).content.decode()
    assert "data-action=" not in html


def test_a_colleague_cannot_reply_nor_transfer_through_the_forms(office, elsewhere, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    client = browser(office.agent2)
    reply = client.post(
        reverse("cases:reply", args=[case.pk]),
        {"body": REPLY_TEXT, "version": case.version, "confirmed": "on"},
    )
    transfer = client.post(
        reverse("cases:transfer", args=[case.pk]),
        {"target": elsewhere.pk, "reason": "Pas pour nous.", "version": case.version},
    )
    assert reply.status_code == 403
    assert transfer.status_code == 403
    assert snapshot(case) == before
    html = client.get(detail(case)).content.decode()
    assert 'id="composer"' not in html
    assert reverse("cases:transfer", args=[case.pk]) not in html


def test_an_agent_is_not_offered_the_assign_form_a_manager_is(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    agent_page = browser(office.agent).get(detail(case)).content.decode()
    manager_page = browser(office.manager).get(detail(case)).content.decode()
    assert 'id="assign-to"' not in agent_page
    assert reverse("cases:assign", args=[case.pk]) not in agent_page
    assert 'id="assign-to"' in manager_page
    assert f'<option value="{office.agent2.pk}"' in manager_page


def test_a_manager_assigns_a_case(office, browser):
    case = make_case(office.administration)
    response = browser(office.manager).post(
        reverse("cases:assign", args=[case.pk]),
        {"assignee": office.agent2.pk, "version": case.version},
    )
    assert response.status_code == 302
    stored = row(case)
    assert stored["assignee_id"] == office.agent2.pk
    assert stored["status"] == Status.ASSIGNED
    assert flashed(response) == [f"Case assigned to {office.agent2.display_name}."]


def test_an_agent_posting_the_assign_form_is_refused(office, browser):
    case = make_case(office.administration)
    before = snapshot(case)
    response = browser(office.agent).post(
        reverse("cases:assign", args=[case.pk]),
        {"assignee": office.agent2.pk, "version": case.version},
    )
    assert response.status_code == 302
    assert flashed(response) == ["Only managers assign cases to others."]
    assert snapshot(case) == before


def test_an_agent_choosing_themselves_in_the_assign_form_takes_the_case(office, browser):
    """The same path as the API's self-assignment and the "Take" button: case_take."""
    case = make_case(office.administration)
    response = browser(office.agent).post(
        reverse("cases:assign", args=[case.pk]),
        {"assignee": office.agent.pk, "version": case.version},
    )
    assert response.status_code == 302
    stored = row(case)
    assert stored["assignee_id"] == office.agent.pk
    assert stored["status"] == Status.ASSIGNED
    assert case.events.order_by("-pk").first().kind == CaseEvent.Kind.TAKEN


@pytest.mark.parametrize("assignee", ["outsider", "missing", "garbage"])
def test_assigning_to_someone_who_is_not_an_agent_here_is_refused(
    office, elsewhere, browser, assignee
):
    case = make_case(office.administration)
    value = {
        "outsider": lambda: make_member(elsewhere, Role.AGENT).pk,
        "missing": lambda: 987_654_321,
        "garbage": lambda: "x",
    }[assignee]()
    before = snapshot(case)
    response = browser(office.manager).post(
        reverse("cases:assign", args=[case.pk]), {"assignee": value, "version": case.version}
    )
    assert response.status_code == 302
    assert len(flashed(response)) == 1
    assert snapshot(case) == before


# --- internal notes --------------------------------------------------------------------------


def test_a_note_is_added(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    response = browser(office.agent).post(
        reverse("cases:note", args=[case.pk]), {"body": "Appeler la CAF demain."}
    )
    assert response.status_code == 302
    note = InternalNote.objects.get(case=case)
    assert note.body == "Appeler la CAF demain." and note.author_id == office.agent.pk
    page = browser(office.agent).get(detail(case)).content.decode()
    assert "Appeler la CAF demain." in page


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_note_is_a_form_error_and_writes_nothing(office, browser, body):
    case = bring_to(Status.ASSIGNED, office)
    before = snapshot(case)
    response = browser(office.agent).post(reverse("cases:note", args=[case.pk]), {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="note-error"' in html
    assert "fr-input-group--error" in html
    assert snapshot(case) == before


# --- replying --------------------------------------------------------------------------------


def _reply(client, case, **data):
    return client.post(reverse("cases:reply", args=[case.pk]), data)


def test_an_empty_reply_is_a_form_error_and_sends_nothing(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = _reply(browser(office.agent), case, body="  ", version=case.version)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="reply-body-error"' in html
    assert "Write the reply before sending it." in html
    assert snapshot(case) == before
    assert not Reply.objects.filter(case=case).exists()


def test_an_empty_reply_in_french_is_a_form_error_too(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    response = _reply(browser(office.agent, language="fr"), case, body="", version=case.version)
    assert response.status_code == 400
    assert 'id="reply-body-error"' in response.content.decode()
    assert not Reply.objects.filter(case=case).exists()


def test_the_first_post_shows_the_reply_to_confirm_and_sends_nothing(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = _reply(browser(office.agent), case, body=AGENT_TEXT, version=case.version)
    assert response.status_code == 200
    html = response.content.decode()
    preview = re.search(r'<div[^>]*id="reply-preview"[^>]*>(.*?)</div>', html, re.S)
    assert preview and text_of(preview.group(1)) == AGENT_TEXT
    assert 'id="confirm-send"' in html and 'id="back-to-editing"' in html
    assert '<input type="hidden" name="confirmed" value="on">' in html
    assert textarea(response, "id_body_reply") == AGENT_TEXT
    assert snapshot(case) == before


def test_the_confirmed_post_sends_the_reply_and_answers_the_case(
    office, browser, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    _reply(client, case, body=AGENT_TEXT, version=case.version)
    with django_capture_on_commit_callbacks(execute=True):
        response = _reply(client, case, body=AGENT_TEXT, version=case.version, confirmed="on")
    assert response.status_code == 302
    assert response["Location"] == f"{detail(case)}?envoye=1"
    reply = Reply.objects.get(case=case)
    assert reply.body == AGENT_TEXT and reply.author_id == office.agent.pk
    stored = row(case)
    assert stored["status"] == Status.ANSWERED
    assert stored["answered_at"] is not None
    assert flashed(response) == ["Reply sent to the usager. The case is answered."]


def test_back_to_editing_keeps_the_text_and_sends_nothing(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = _reply(
        browser(office.agent), case, body=AGENT_TEXT, version=case.version, confirmed="on", edit="1"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert textarea(response, "id_body_reply") == AGENT_TEXT
    assert 'id="reply-preview"' not in html
    assert 'id="preview-send"' in html and 'id="confirm-send"' not in html
    assert 'name="confirmed"' not in html
    assert snapshot(case) == before


@pytest.mark.parametrize("confirmed", ["", "on"])
def test_a_reply_on_a_case_changed_meanwhile_is_not_sent_and_the_text_is_kept(
    office, browser, confirmed
):
    case = bring_to(Status.IN_PROGRESS, office)
    opened_version = case.version
    # The manager puts the case on hold while the agent writes.
    case_services.case_transition(actor=office.manager, case=case, action="await_usager")
    before = snapshot(case)
    response = _reply(
        browser(office.agent), case, body=AGENT_TEXT, version=opened_version, confirmed=confirmed
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="reply-errors"' in html
    assert textarea(response, "id_body_reply") == AGENT_TEXT
    # The form now carries the current version and is not a confirmation.
    assert f'name="version" value="{row(case)["version"]}"' in composer(response)
    assert f'value="{opened_version}"' not in composer(response)
    assert 'name="confirmed"' not in composer(response)
    assert snapshot(case) == before
    assert not Reply.objects.filter(case=case).exists()


def test_a_stale_reply_after_reassignment_still_shows_the_text_and_why(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    opened_version = case.version
    case_services.case_assign(actor=office.manager, case=case, assignee=office.agent2)
    response = _reply(browser(office.agent), case, body=AGENT_TEXT, version=opened_version)
    assert response.status_code == 409
    assert not Reply.objects.filter(case=case).exists()
    assert AGENT_TEXT in unescape(response.content.decode())


# --- transfer --------------------------------------------------------------------------------


def _transfer(client, case, **data):
    return client.post(reverse("cases:transfer", args=[case.pk]), data)


@pytest.mark.parametrize(
    ("target", "reason", "error"),
    [
        ("missing", "Relève de la CPAM.", "This administration does not exist."),
        ("own", "Relève de la CPAM.", "This administration does not exist."),
        ("", "Relève de la CPAM.", "Choose the administration to transfer to."),
        ("elsewhere", "", "Say why the case is transferred."),
        ("elsewhere", "   ", "Say why the case is transferred."),
    ],
)
def test_an_invalid_transfer_is_a_form_error_and_writes_nothing(
    office, elsewhere, browser, target, reason, error
):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    value = {
        "missing": 987_654_321,
        "own": office.administration.pk,
        "": "",
        "elsewhere": elsewhere.pk,
    }[target]
    response = _transfer(
        browser(office.agent), case, target=value, reason=reason, version=case.version
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(error) in html
    assert 'class="fr-error-text"' in html
    assert snapshot(case) == before
    assert not Case.objects.filter(administration=elsewhere).exists()


def test_a_valid_transfer_hands_the_case_over_and_goes_back_to_the_inbox(
    office, elsewhere, browser
):
    case = bring_to(Status.IN_PROGRESS, office)
    response = _transfer(
        browser(office.agent),
        case,
        target=elsewhere.pk,
        reason="Relève de l'assurance maladie.",
        version=case.version,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:inbox")
    assert row(case)["status"] == Status.TRANSFERRED
    received = Case.objects.get(administration=elsewhere)
    assert received.transferred_from_id == case.pk
    assert flashed(response) == [f"Case transferred to {elsewhere.name}."]


def test_a_transfer_from_a_stale_page_is_refused(office, elsewhere, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    stale_version = case.version
    case_services.case_transition(actor=office.manager, case=case, action="await_usager")
    before = snapshot(case)
    response = _transfer(
        browser(office.agent),
        case,
        target=elsewhere.pk,
        reason="Pas pour nous.",
        version=stale_version,
    )
    assert response.status_code == 400
    assert snapshot(case) == before


# --- presence --------------------------------------------------------------------------------


def _presence_block(html: str) -> str:
    assert '<div id="presence"' in html, "no presence block"
    # The block is followed by the usager's message section.
    return html.split('<div id="presence"', 1)[1].split("<section", 1)[0]


def test_a_second_agent_sees_who_else_has_the_case_open(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    first = browser(office.agent).get(detail(case))
    assert escape(office.agent.display_name) not in _presence_block(first.content.decode())
    second = browser(office.manager).get(detail(case))
    block = _presence_block(second.content.decode())
    assert escape(office.agent.display_name) in block
    assert escape(office.manager.display_name) not in block
    # The polled fragment says the same, and shows the first agent the second one.
    fragment = browser(office.agent).get(reverse("cases:presence", args=[case.pk]))
    assert fragment.status_code == 200
    assert escape(office.manager.display_name) in fragment.content.decode()
    assert 'hx-trigger="every 30s"' in fragment.content.decode()


def test_nobody_else_on_the_case_shows_an_empty_presence_block(office, browser):
    case = bring_to(Status.ASSIGNED, office)
    html = browser(office.agent).get(detail(case)).content.decode()
    assert "Also on this case right now" not in html


# --- drafting panel --------------------------------------------------------------------------


def panel_url(case: Case) -> str:
    return reverse("drafting:panel", args=[case.pk])


@pytest.fixture
def drafted(office, django_capture_on_commit_callbacks, vitale_article):
    return drafted_case(office, django_capture_on_commit_callbacks)


def test_the_case_page_has_the_slot_the_panel_fills(office, browser, drafted):
    case, _suggestion = drafted
    html = browser(office.agent).get(detail(case)).content.decode()
    assert f'hx-get="{panel_url(case)}"' in html


def test_a_ready_draft_shows_its_text_sources_backend_and_buttons(office, browser, drafted):
    case, suggestion = drafted
    response = browser(office.agent).get(panel_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(suggestion.text) in html
    assert suggestion.sources, "the draft should cite the carte Vitale fiche"
    for source in suggestion.sources:
        assert f'<li value="{source["n"]}">' in html
        assert f"[{source['n']}]" in html
        assert escape(source["title"]) in html
        assert escape(source["excerpt"]) in html
    vitale = [s for s in suggestion.sources if s.get("url")]
    assert vitale and f'href="{vitale[0]["url"]}"' in html
    assert suggestion.backend == "offline"
    assert "offline drafter" in html
    for button, label in (
        ("use-draft", "Use this reply"),
        ("discard-draft", "Discard"),
        ("new-draft", "New draft"),
    ):
        assert f'id="{button}"' in html
        assert label in html
    assert "hx-trigger" not in html  # nothing to wait for


def test_the_assignee_opening_the_panel_records_when_the_draft_was_shown(office, browser, drafted):
    case, suggestion = drafted
    browser(office.agent).get(panel_url(case))
    suggestion.refresh_from_db()
    assert suggestion.shown_at is not None
    assert suggestion.shown_to_id == office.agent.pk
    first_seen = suggestion.shown_at
    browser(office.agent).get(panel_url(case))
    suggestion.refresh_from_db()
    assert suggestion.shown_at == first_seen


def test_a_manager_who_is_not_the_assignee_does_not_start_the_clock(office, browser, drafted):
    case, suggestion = drafted
    response = browser(office.manager).get(panel_url(case))
    assert response.status_code == 200
    assert escape(suggestion.text) in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.shown_at is None and suggestion.shown_to_id is None


def test_a_pending_draft_polls_until_it_is_ready(office, browser):
    case = bring_to(Status.ASSIGNED, office)  # on-commit not run: no draft yet
    suggestion_services.suggestion_request(actor=office.agent, case=case)
    assert Suggestion.objects.get(case=case).status == Suggestion.Status.PENDING
    response = browser(office.agent).get(panel_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{panel_url(case)}"' in html
    assert 'id="draft-pending"' in html
    assert 'id="use-draft"' not in html


def test_a_control_case_shows_no_panel_and_no_word_of_the_experiment(
    office,
    browser,
    django_capture_on_commit_callbacks,
    vitale_article,
):
    experiment_services.experiment_start(
        actor=office.administrator, administration=office.administration, assisted_share=Decimal(0)
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(office.administration, subject=VITALE_SUBJECT, body=VITALE_BODY)
    case = case_services.case_take(actor=office.agent, case=case)
    assert CaseArm.objects.get(case=case).arm == Arm.CONTROL
    assert not Suggestion.objects.filter(case=case).exists()
    for user in (office.agent, office.manager):
        for language in ("en", "fr"):
            response = browser(user, language=language).get(panel_url(case))
            assert response.status_code == 200
            text = response.content.decode().lower()
            for word in ("brouillon", "draft", "contrôle", "control", "expérience", "experiment"):
                assert word not in text, (user, language, word)
            assert not text.strip(), text


def test_discarding_without_a_reason_is_a_form_error(office, browser, drafted):
    case, suggestion = drafted
    browser(office.agent).get(panel_url(case))  # shown: the re-rendered panel changes nothing
    before = suggestions_state(case)
    response = browser(office.agent).post(
        reverse("drafting:discard", args=[suggestion.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a reason for discarding the draft." in html
    assert "fr-select-group--error" in html
    assert suggestions_state(case) == before
    suggestion.refresh_from_db()
    assert suggestion.decision == "" and suggestion.discard_reason == ""


def test_discarding_as_other_needs_a_comment(office, browser, drafted):
    case, suggestion = drafted
    browser(office.agent).get(panel_url(case))
    before = suggestions_state(case)
    response = browser(office.agent).post(
        reverse("drafting:discard", args=[suggestion.pk]), {"reason": "other", "comment": "  "}
    )
    assert response.status_code == 400
    assert "Say in a few words why the draft is discarded." in response.content.decode()
    assert suggestions_state(case) == before
    suggestion.refresh_from_db()
    assert suggestion.decision == ""


def test_discarding_with_a_reason_records_the_decision(office, browser, drafted):
    case, suggestion = drafted
    client = browser(office.agent)
    client.get(panel_url(case))
    response = client.post(
        reverse("drafting:discard", args=[suggestion.pk]),
        {"reason": "other", "comment": "Ne répond pas à la question."},
    )
    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.DISCARDED
    assert suggestion.discard_reason == "other"
    assert suggestion.discard_comment == "Ne répond pas à la question."
    assert suggestion.decided_by_id == office.agent.pk
    html = response.content.decode()
    assert "You discarded this draft" in html
    assert 'id="discard-draft"' not in html


def test_asking_for_a_new_draft_makes_a_second_suggestion(
    office, browser, drafted, django_capture_on_commit_callbacks
):
    case, first = drafted
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(office.agent).post(reverse("drafting:request", args=[case.pk]))
    assert response.status_code == 200
    suggestions = list(Suggestion.objects.filter(case=case).order_by("sequence"))
    assert [s.sequence for s in suggestions] == [1, 2]
    second = suggestions[1]
    assert second.requested_by_id == office.agent.pk
    assert second.status == Suggestion.Status.READY
    first.refresh_from_db()
    assert first.status == Suggestion.Status.READY  # kept in the history


# --- the agent's minute (issue 15): tenancy in the URL, in-place preview, Suivant -------------


def _select_current(html: str) -> str:
    """The administration selected in the header's switcher."""
    switcher = html.split('id="administration-switcher"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option value="(\d+)" selected>', switcher).group(1)


def test_a_case_of_another_of_my_administrations_opens_with_the_header_switched_and_says_so(
    office, elsewhere, browser
):
    from accounts.services import membership_create

    agent = office.agent
    membership_create(user=agent, administration=elsewhere, role=Role.AGENT)
    client = browser(agent)
    assert _select_current(client.get(reverse("cases:inbox")).content.decode()) == str(
        office.administration.pk
    )
    case = make_case(elsewhere, subject="Une question de l'autre administration")
    response = client.get(detail(case))
    assert response.status_code == 200
    html = response.content.decode()
    # The header of this very page names the case's administration, not the previous one...
    assert _select_current(html) == str(elsewhere.pk)
    # ...and the page says the switch happened.
    said = f"This case belongs to {elsewhere.name}: you are now working in {elsewhere.name}"
    assert escape(said) in html
    # The session follows: the inbox is now the case's administration's.
    assert _select_current(client.get(reverse("cases:inbox")).content.decode()) == str(elsewhere.pk)
    # A case of the administration one works in says nothing.
    again = client.get(detail(case)).content.decode()
    assert "you are now working in" not in again


def test_a_case_of_an_administration_i_do_not_belong_to_is_404_and_switches_nothing(
    office, elsewhere, browser
):
    client = browser(office.agent)
    case = make_case(elsewhere)
    assert client.get(detail(case)).status_code == 404
    assert client.session.get("current_administration_id") in (None, office.administration.pk)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert escape(office.administration.name) in html


def _htmx(client: Client, case: Case, **data) -> object:
    return client.post(reverse("cases:reply", args=[case.pk]), data, headers={"HX-Request": "true"})


def test_htmx_preview_answers_the_composer_alone_with_the_focus_on_confirm(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    response = _htmx(browser(office.agent), case, body=AGENT_TEXT, version=case.version)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<section") and "<html" not in html
    assert 'id="reply-preview"' in html
    confirm = re.search(r'<button[^>]*id="confirm-send"[^>]*>', html).group(0)
    assert "autofocus" in confirm and 'data-shortcut="send"' in confirm


def test_htmx_reply_over_the_length_limit_comes_back_in_place_with_the_error(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    response = _htmx(browser(office.agent), case, body="x" * 50_001, version=case.version)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and 'id="reply-body-error"' in html
    assert re.search(r'<textarea[^>]*id="id_body_reply"[^>]*autofocus', html)
    assert not Reply.objects.filter(case=case).exists()


def test_htmx_send_redirects_the_page_to_the_case_with_next_focused(
    office, browser, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _htmx(client, case, body=AGENT_TEXT, version=case.version, confirmed="on")
    assert response["HX-Redirect"] == f"{detail(case)}?envoye=1"
    assert Reply.objects.filter(case=case).count() == 1
    html = client.get(f"{detail(case)}?envoye=1").content.decode()
    following = re.search(r'<a[^>]*id="next-case"[^>]*>', html).group(0)
    assert "autofocus" in following


@pytest.mark.parametrize("htmx", [False, True])
def test_back_after_sending_then_confirm_says_it_was_sent_and_sends_nothing_twice(
    office, browser, django_capture_on_commit_callbacks, htmx
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    version = case.version
    text = f"{AGENT_TEXT}\n\nCordialement,\nL'équipe"
    with django_capture_on_commit_callbacks(execute=True):
        _reply(client, case, body=text, version=version, confirmed="on")
    # Back to the preview (the browser's copy, the old version), then Confirm again; the
    # browser sends the text with CRLF line ends.
    again = dict(body=text.replace("\n", "\r\n"), version=version, confirmed="on")
    if htmx:
        response = _htmx(client, case, **again)
        assert response["HX-Redirect"] == f"{detail(case)}?envoye=1"
    else:
        response = _reply(client, case, **again)
        assert response.status_code == 302
        assert response["Location"] == f"{detail(case)}?envoye=1"
    assert Reply.objects.filter(case=case).count() == 1
    said = flashed(response)[-1]
    assert said.startswith("This reply was already sent on ") and "not sent again" in said


def test_a_different_text_on_a_case_answered_meanwhile_is_still_refused(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    version = case.version
    _reply(client, case, body=AGENT_TEXT, version=version, confirmed="on")
    response = _reply(client, case, body="Un autre texte.", version=version, confirmed="on")
    assert response.status_code == 409
    assert Reply.objects.filter(case=case).count() == 1


def test_next_opens_the_next_case_of_the_box_the_agent_came_from(office, browser):
    now = timezone.now()
    first, second, third = (
        make_case(office.administration, created_at=now - dt.timedelta(days=days))
        for days in (3, 2, 1)
    )
    mine = case_services.case_take(actor=office.agent, case=make_case(office.administration))
    client = browser(office.agent)
    nxt = reverse("cases:next")
    client.get(inbox_url(box="queue"))
    assert client.get(nxt)["Location"] == detail(first)
    assert client.get(f"{nxt}?depuis={first.pk}")["Location"] == detail(second)
    assert client.get(f"{nxt}?depuis={second.pk}")["Location"] == detail(third)
    # At the end of the box, back to its first case (one not opened yet stays in it).
    assert client.get(f"{nxt}?depuis={third.pk}")["Location"] == detail(first)
    # From "mine", the next case is mine.
    client.get(inbox_url(box="mine"))
    assert client.get(nxt)["Location"] == detail(mine)


def test_next_of_an_empty_box_goes_back_to_the_box_and_says_so(office, browser):
    client = browser(office.agent)
    client.get(inbox_url(box="queue"))
    response = client.get(reverse("cases:next"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('cases:inbox')}?box=queue"
    assert flashed(response) == ["No other case in this box."]


def test_the_pages_document_their_shortcuts(office, browser):
    case = make_case(office.administration)
    client = browser(office.agent)
    for html in (
        client.get(reverse("cases:inbox")).content.decode(),
        client.get(detail(case)).content.decode(),
    ):
        assert 'id="shortcuts-modal"' in html and 'aria-controls="shortcuts-modal"' in html
        assert "js/workspace.js" in html
        assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    take = re.search(r'<button[^>]*id="take-case"[^>]*>', html).group(0)
    assert 'data-shortcut="take"' in take


def test_discarding_a_draft_without_a_reason_answers_the_panel_with_a_visible_error(
    office, browser, django_capture_on_commit_callbacks
):
    _case, suggestion = drafted_case(office, django_capture_on_commit_callbacks)
    response = browser(office.agent).post(
        reverse("drafting:discard", args=[suggestion.pk]),
        {"reason": "", "comment": ""},
        headers={"HX-Request": "true"},
    )
    # 400, and the body is the panel to swap in (static/js/workspace.js swaps 400 and 409).
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="suggestion-panel"' in html and "<html" not in html
    assert re.search(r'<details[^>]*id="discard-details"[^>]*open', html)
    assert re.search(r'<p class="fr-error-text" id="discard-reason-error" role="alert">', html)
    assert re.search(r'<select[^>]*id="id_discard_reason"[^>]*autofocus', html)
    suggestion.refresh_from_db()
    assert suggestion.decision == ""
