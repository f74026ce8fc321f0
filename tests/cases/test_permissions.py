"""Roles inside one administration: what an agent may do, and what only a manager may."""

import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import remove_perm

from accounts import services as account_services
from accounts.models import Membership, Role, RoleGroup
from cases import services
from cases.models import Case, CaseEvent, InternalNote, Reply, Status
from tests.case_states import REPLY_TEXT, bring_to, fresh, row, snapshot
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def _denied(call, case):
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        call()
    assert snapshot(case) == before


# --- what an agent may not do ----------------------------------------------------------------


def test_agent_cannot_assign_a_queue_case_to_a_colleague(office):
    case = make_case(office.administration)
    _denied(
        lambda: services.case_assign(actor=office.agent, case=case, assignee=office.agent2),
        case,
    )


def test_agent_cannot_assign_even_to_themselves_through_case_assign(office):
    case = make_case(office.administration)
    _denied(
        lambda: services.case_assign(actor=office.agent, case=case, assignee=office.agent),
        case,
    )


def test_agent_cannot_reassign_their_own_case_to_a_colleague(office):
    case = bring_to(Status.ASSIGNED, office)
    _denied(
        lambda: services.case_assign(actor=office.agent, case=case, assignee=office.agent2),
        case,
    )


def test_agent_cannot_close_an_unassigned_case(office):
    case = make_case(office.administration)
    _denied(lambda: services.case_transition(actor=office.agent, case=case, action="close"), case)


def test_agent_cannot_move_a_colleagues_case(office, subtests):
    for source, action in [
        (Status.ASSIGNED, "start"),
        (Status.ASSIGNED, "release"),
        (Status.ASSIGNED, "close"),
        (Status.IN_PROGRESS, "await_usager"),
        (Status.AWAITING_USAGER, "resume"),
        (Status.ANSWERED, "reopen"),
        (Status.CLOSED, "reopen"),
    ]:
        with subtests.test(source=source, action=action):
            case = bring_to(source, office)
            assert case.assignee_id == office.agent.pk
            _denied(
                lambda case=case, action=action: services.case_transition(
                    actor=office.agent2, case=case, action=action
                ),
                case,
            )


def test_agent_cannot_reply_on_a_colleagues_case(office):
    case = bring_to(Status.IN_PROGRESS, office)
    _denied(lambda: services.case_send_reply(actor=office.agent2, case=case, body=REPLY_TEXT), case)


def test_agent_cannot_reply_on_a_queue_case_without_taking_it(office):
    case = make_case(office.administration)
    _denied(lambda: services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT), case)


def test_agent_cannot_transfer_a_colleagues_case(office, elsewhere):
    case = bring_to(Status.IN_PROGRESS, office)
    _denied(
        lambda: services.case_transfer(
            actor=office.agent2, case=case, target_administration=elsewhere, reason="Compétence"
        ),
        case,
    )


def test_agent_cannot_reopen_a_case_closed_from_the_queue(office):
    case = services.case_transition(
        actor=office.manager, case=make_case(office.administration), action="close"
    )
    _denied(lambda: services.case_transition(actor=office.agent, case=case, action="reopen"), case)


def test_permission_check_comes_before_the_version_check(office):
    # A 403 must not depend on what the caller knows of the case's version.
    case = bring_to(Status.ASSIGNED, office)
    _denied(
        lambda: services.case_transition(
            actor=office.agent2, case=case, action="start", expected_version=999
        ),
        case,
    )


def test_member_whose_role_group_lost_work_cases_cannot_work(office):
    group = RoleGroup.objects.get(administration=office.administration, role=Role.AGENT).group
    remove_perm("accounts.work_cases", group, office.administration)
    case = make_case(office.administration)
    _denied(lambda: services.case_take(actor=fresh(office.agent), case=case), case)
    _denied(lambda: services.case_add_note(actor=fresh(office.agent), case=case, body="Vu."), case)


# --- what a manager may do -----------------------------------------------------------------


def test_manager_and_administrator_can_assign_a_queue_case(office, subtests):
    for role in ("manager", "administrator"):
        with subtests.test(role=role):
            case = make_case(office.administration)
            services.case_assign(actor=getattr(office, role), case=case, assignee=office.agent)
            after = row(case)
            assert (after["status"], after["assignee_id"]) == (Status.ASSIGNED, office.agent.pk)


def test_manager_and_administrator_can_close_an_unassigned_case(office, subtests):
    for role in ("manager", "administrator"):
        with subtests.test(role=role):
            case = make_case(office.administration)
            services.case_transition(actor=getattr(office, role), case=case, action="close")
            assert row(case)["status"] == Status.CLOSED


def test_manager_can_act_on_an_agents_case(office, elsewhere):
    a = office
    case = bring_to(Status.ASSIGNED, a)
    services.case_transition(actor=a.manager, case=case, action="start")
    services.case_add_note(actor=a.manager, case=case, body="Je reprends la main.")
    services.case_send_reply(actor=a.manager, case=case, body=REPLY_TEXT)
    services.case_transition(actor=a.manager, case=case, action="reopen")
    services.case_assign(actor=a.manager, case=case, assignee=a.agent2)
    services.case_transfer(
        actor=a.manager, case=case, target_administration=elsewhere, reason="Compétence"
    )
    assert row(case)["status"] == Status.TRANSFERRED
    actors = set(case.events.exclude(kind=CaseEvent.Kind.CREATED).values_list("actor", flat=True))
    assert actors == {a.agent.pk, a.manager.pk}


def test_manager_can_reassign_a_case_held_by_a_deactivated_agent(office):
    case = bring_to(Status.IN_PROGRESS, office)
    account_services.membership_set_active(
        membership=Membership.objects.get(user=office.agent, administration=office.administration),
        active=False,
    )
    services.case_assign(actor=office.manager, case=case, assignee=office.agent2)
    assert row(case)["assignee_id"] == office.agent2.pk


# --- what an agent may do ------------------------------------------------------------------


def test_agent_can_take_from_the_queue_note_and_reply_on_their_own_case(office):
    agent = office.agent
    case = make_case(office.administration)
    services.case_take(actor=agent, case=case)
    services.case_mark_opened(actor=agent, case=case)
    services.case_transition(actor=agent, case=case, action="start")
    note = services.case_add_note(actor=agent, case=case, body="Vérifier le quotient familial.")
    reply = services.case_send_reply(actor=agent, case=case, body=REPLY_TEXT)
    assert InternalNote.objects.get(pk=note.pk).author == agent
    assert Reply.objects.get(pk=reply.pk).author == agent
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.assignee_id) == (Status.ANSWERED, agent.pk)
    assert case.first_opened_at is not None


def test_agent_can_move_their_own_case_through_its_lifecycle(office, elsewhere):
    a = office
    agent = a.agent
    case = bring_to(Status.ASSIGNED, a)
    for action in ("start", "await_usager", "resume", "close", "reopen", "release"):
        services.case_transition(actor=agent, case=case, action=action)
    services.case_take(actor=agent, case=case)
    services.case_transfer(
        actor=agent, case=case, target_administration=elsewhere, reason="Compétence"
    )
    assert row(case)["status"] == Status.TRANSFERRED


def test_agent_can_leave_a_note_on_a_colleagues_case(office):
    # Notes are how colleagues help each other: they do not need the case.
    case = bring_to(Status.IN_PROGRESS, office)
    services.case_add_note(actor=office.agent2, case=case, body="J'ai eu ce cas la semaine passée.")
    assert case.notes.count() == 1
