"""The agent workspace through Django's test client: the case page and its forms.

Who sees a case (and the same 404 for every case URL to anyone else), taking it, the
status actions, assignment, internal notes, transfer and presence (who else has the case
open). Replying is in test_views_replying.py, the drafting panel in
test_views_drafting_panel.py.

Every test signs in with ``force_login`` (the ``browser`` fixture of tests/cases/conftest.py)
and reads the HTML the agent would read. Pages are asked for in English (Accept-Language) so
that assertions on wording do not depend on the state of the French catalogue.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role
from cases import presence
from cases import services as case_services
from cases.models import Case, CaseEvent, InternalNote, Status
from drafting.models import CaseArm, Suggestion
from tests.case_states import REPLY_TEXT, bring_to, counts, row, snapshot
from tests.cases.workspace_pages import (
    detail,
    drafted_case,
    flashed,
    suggestions_state,
    text_of,
)
from tests.factories import make_case, make_member

pytestmark = pytest.mark.django_db


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


def test_an_unassigned_case_shows_no_actions_heading_to_an_agent(office, browser):
    """Nothing to do on a case in the queue but take it: no "Actions" heading over nothing."""
    case = make_case(office.administration)
    agent_page = browser(office.agent).get(detail(case)).content.decode()
    assert 'id="take-case"' in agent_page
    assert 'id="actions-title"' not in agent_page
    # A manager can assign it: the heading is there, over the assign form.
    manager_page = browser(office.manager).get(detail(case)).content.decode()
    assert 'id="actions-title"' in manager_page
    assert 'id="assign-to"' in manager_page


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
    assert flashed(response) == ["The case is now: In progress."]


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


def _timeline(response) -> str:
    """The visible text of the case page's timeline."""
    html = response.content.decode()
    return text_of(
        html[html.index('id="timeline"') : html.index("</ol>", html.index('id="timeline"'))]
    )


def test_the_timeline_says_to_whom_and_by_whom_a_case_was_assigned(office, browser):
    case = make_case(office.administration)
    case_services.case_assign(actor=office.manager, case=case, assignee=office.agent2)
    timeline = _timeline(browser(office.agent2).get(detail(case)))
    manager, agent = office.manager.display_name, office.agent2.display_name
    assert f"Assigned to {agent} by {manager}" in timeline
    assert f"Assigned · {manager}" not in timeline


def test_the_timeline_says_who_assigned_a_case_to_themselves(office, browser):
    case = case_services.case_take(actor=office.agent, case=make_case(office.administration))
    case_services.case_assign(actor=office.manager, case=case, assignee=office.manager)
    timeline = _timeline(browser(office.manager).get(detail(case)))
    assert f"{office.manager.display_name} assigned the case to themselves" in timeline


def test_the_timeline_says_who_took_a_case_from_the_queue(office, browser):
    case = case_services.case_take(actor=office.agent, case=make_case(office.administration))
    timeline = _timeline(browser(office.agent2).get(detail(case)))
    assert f"{office.agent.display_name} took the case" in timeline
    assert f"Taken from the queue · {office.agent.display_name}" not in timeline


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
        "outsider": lambda: (
            make_member(elsewhere, Role.AGENT, first_name="Zéphyrin", last_name="Ailleurs").pk
        ),
        "missing": lambda: 987_654_321,
        "garbage": lambda: "x",
    }[assignee]()
    before = snapshot(case)
    response = browser(office.manager).post(
        reverse("cases:assign", args=[case.pk]), {"assignee": value, "version": case.version}
    )
    assert response.status_code == 302
    # The same answer whoever the id is: never the name of someone of another administration.
    assert flashed(response) == ["Choose an agent."]
    assert snapshot(case) == before


def test_the_assignment_service_names_no_one_of_another_administration(office, elsewhere):
    outsider = make_member(elsewhere, Role.AGENT, first_name="Zéphyrin", last_name="Ailleurs")
    case = make_case(office.administration)
    with pytest.raises(ValidationError) as refused:
        case_services.case_assign(actor=office.manager, case=case, assignee=outsider)
    assert refused.value.messages == ["Pas un membre actif de cette administration."]


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
    # The page opens at the form and its error, not at the top (the error is far below).
    assert f'action="{reverse("cases:note", args=[case.pk])}#note-section"' in html
    assert re.search(r'<textarea[^>]*id="id_note_body"[^>]*autofocus', html)
    assert html.count("autofocus") == 1  # not "Take this case" as well
    assert snapshot(case) == before


def test_a_note_refused_on_a_queue_case_keeps_the_focus_on_the_note(office, browser):
    case = bring_to(Status.NEW, office)
    html = browser(office.agent).post(reverse("cases:note", args=[case.pk]), {"body": " "})
    html = html.content.decode()
    assert 'id="take-case"' in html
    assert html.count("autofocus") == 1
    assert re.search(r'<textarea[^>]*id="id_note_body"[^>]*autofocus', html)


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


def test_a_received_case_says_which_administration_sent_it_and_its_reference_there(
    office, elsewhere, browser
):
    case = bring_to(Status.TRANSFERRED, office, other_administration=elsewhere)
    received = Case.objects.get(administration=elsewhere)
    receiver = make_member(elsewhere, Role.AGENT)
    timeline = _timeline(browser(receiver).get(detail(received)))
    assert f"Received by transfer from {office.administration.name} ({case.reference})" in timeline
    # The agent who sent it works elsewhere: a stranger here, not named.
    assert office.agent.display_name not in timeline
    assert "Relève de la compétence d'un autre organisme." in timeline


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


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Reason: the agent's account in this administration was deactivated"),
        # (text_of reads the non-breaking space before the colon as a space)
        ("fr", "Motif : le compte de l'agent dans cette administration a été désactivé"),
    ],
)
def test_a_reason_guichet_wrote_reads_as_words_on_the_timeline(office, browser, language, words):
    from accounts import services as account_services
    from accounts.models import Membership

    case = case_services.case_take(actor=office.agent, case=make_case(office.administration))
    membership = Membership.objects.get(user=office.agent, administration=office.administration)
    account_services.membership_set_active(
        membership=membership, active=False, actor=office.administrator
    )
    assert CaseEvent.objects.filter(case=case, data__reason="member_deactivated").exists()
    page = text_of(browser(office.manager, language).get(detail(case)).content.decode())
    assert words in page
    assert "member_deactivated" not in page
