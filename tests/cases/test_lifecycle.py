"""The lifecycle table of cases/transitions.py, applied through the services."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation

from cases import services
from cases.models import Case, CaseEvent, Status
from cases.transitions import TRANSITIONS, allowed_actions
from tests.case_states import REPLY_TEXT, bring_to, counts, fresh, row, snapshot
from tests.factories import make_case

pytestmark = pytest.mark.django_db

STATUSES = list(Status.values)
ACTIONS = list(TRANSITIONS)

EVENT_KIND = {
    "assign": CaseEvent.Kind.ASSIGNED,
    "release": CaseEvent.Kind.RELEASED,
    "start": CaseEvent.Kind.STATUS_CHANGED,
    "await_usager": CaseEvent.Kind.STATUS_CHANGED,
    "resume": CaseEvent.Kind.STATUS_CHANGED,
    "close": CaseEvent.Kind.CLOSED,
    "reopen": CaseEvent.Kind.REOPENED,
    "answer": CaseEvent.Kind.REPLY_SENT,
    "transfer": CaseEvent.Kind.TRANSFERRED_OUT,
}


def _apply(action: str, case: Case, office, target, *, actor=None):
    """Apply ``action`` through the service that owns it (see cases/transitions.py)."""
    if action == "assign":
        assignee = office.agent2 if case.assignee_id == office.agent.pk else office.agent
        return services.case_assign(actor=actor or office.manager, case=case, assignee=assignee)
    if action == "answer":
        return services.case_send_reply(actor=actor or office.manager, case=case, body=REPLY_TEXT)
    if action == "transfer":
        return services.case_transfer(
            actor=actor or office.manager,
            case=case,
            target_administration=target,
            reason="Relève de la CPAM.",
        )
    assert TRANSITIONS[action].generic
    holder = case.assignee if case.assignee_id else office.manager
    return services.case_transition(actor=actor or holder, case=case, action=action)


def _last_event_pk() -> int:
    return CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _events_since(case: Case, last_pk: int) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, pk__gt=last_pk).order_by("pk"))


def test_transition_table_names_only_known_statuses():
    assert set(EVENT_KIND) == set(TRANSITIONS)
    for transition in TRANSITIONS.values():
        assert transition.sources <= set(STATUSES)
        assert transition.target in STATUSES
    # Terminal: nothing leaves a transferred case.
    assert allowed_actions(Status.TRANSFERRED) == []


def test_every_status_is_reachable_through_the_services(office, elsewhere):
    for status in STATUSES:
        assert bring_to(status, office, other_administration=elsewhere).status == status


@pytest.mark.parametrize("action", ACTIONS)
def test_allowed_action_moves_the_case_and_writes_one_journal_line(
    office, elsewhere, subtests, action
):
    target = TRANSITIONS[action].target
    for source in sorted(TRANSITIONS[action].sources):
        with subtests.test(source=source):
            case = bring_to(source, office, other_administration=elsewhere)
            before = row(case)
            last_pk = _last_event_pk()
            replies_before = case.replies.count()

            _apply(action, case, office, elsewhere)

            after = row(case)
            assert after["status"] == target
            assert after["version"] == before["version"] + 1
            events = _events_since(case, last_pk)
            assert [(e.kind, e.from_status, e.to_status) for e in events] == [
                (EVENT_KIND[action], source, target)
            ]
            if action == "answer":
                assert case.replies.count() == replies_before + 1
                assert events[0].data["reply_id"] == case.replies.latest("pk").pk


def test_take_is_the_assign_action_of_an_agent_from_the_queue(office):
    case = make_case(office.administration)
    last_pk = _last_event_pk()
    services.case_take(actor=office.agent, case=case)
    after = row(case)
    assert (after["status"], after["assignee_id"], after["version"]) == (
        TRANSITIONS["assign"].target,
        office.agent.pk,
        2,
    )
    events = _events_since(case, last_pk)
    assert [(e.kind, e.from_status, e.to_status, e.actor_id) for e in events] == [
        (CaseEvent.Kind.TAKEN, Status.NEW, Status.ASSIGNED, office.agent.pk)
    ]


@pytest.mark.parametrize("action", ACTIONS)
def test_action_from_a_status_outside_its_sources_is_refused_and_changes_nothing(
    office, elsewhere, subtests, action
):
    refused = [status for status in STATUSES if status not in TRANSITIONS[action].sources]
    assert refused
    for status in refused:
        with subtests.test(status=status):
            case = bring_to(status, office, other_administration=elsewhere)
            before = snapshot(case)
            # The manager may act on any case: only the status stands in the way.
            with pytest.raises(ValidationError) as excinfo:
                _apply(action, case, office, elsewhere, actor=office.manager)
            (field,) = set(excinfo.value.message_dict) & {"status", "action"}
            assert [e.code for e in excinfo.value.error_dict[field]] == ["invalid_transition"]
            assert snapshot(case) == before


def test_case_transition_refuses_unknown_actions_and_those_with_their_own_service(office, subtests):
    case = bring_to(Status.ASSIGNED, office)
    before = snapshot(case)
    own_service = [name for name, t in TRANSITIONS.items() if not t.generic]
    assert own_service
    for action in [*own_service, "escalate", ""]:
        with subtests.test(action=action):
            with pytest.raises(ValidationError) as excinfo:
                services.case_transition(actor=office.manager, case=case, action=action)
            assert set(excinfo.value.message_dict) == {"action"}
            assert snapshot(case) == before


def test_take_of_a_case_not_in_the_queue_is_refused(office, elsewhere, subtests):
    for status in STATUSES:
        with subtests.test(status=status):
            case = bring_to(status, office, other_administration=elsewhere)
            if status == Status.NEW:
                case = services.case_take(actor=office.agent, case=case)
            before = snapshot(case)
            with pytest.raises(ValidationError) as excinfo:
                services.case_take(actor=office.agent2, case=case)
            assert set(excinfo.value.message_dict) == {"assignee"}
            assert [e.code for e in excinfo.value.error_dict["assignee"]] == ["already_taken"]
            assert snapshot(case) == before


def test_take_of_a_taken_case_names_the_holder(office):
    case = make_case(office.administration)
    services.case_take(actor=office.agent, case=case)
    before = snapshot(case)
    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        services.case_take(actor=office.agent2, case=case)
    message = excinfo.value.message_dict["assignee"][0]
    assert "no longer in the queue" in message
    assert fresh(office.agent).display_name in message
    assert snapshot(case) == before


def test_take_with_an_old_copy_of_the_case_reads_the_current_row(office):
    # Both agents loaded the queue; the second one's object still says "new".
    case = make_case(office.administration)
    old_copy = Case.objects.get(pk=case.pk)
    services.case_take(actor=office.agent, case=case)
    with pytest.raises(ValidationError):
        services.case_take(actor=office.agent2, case=old_copy)
    assert row(case)["assignee_id"] == office.agent.pk


# --- assignee and timestamps ----------------------------------------------------------------


def test_reopen_of_a_case_closed_from_new_assigns_the_actor(office):
    case = make_case(office.administration)
    case = services.case_transition(actor=office.manager, case=case, action="close")
    assert (case.assignee_id, case.status) == (None, Status.CLOSED)
    assert case.closed_at is not None
    started = timezone.now()
    services.case_transition(actor=office.manager, case=case, action="reopen")
    after = row(case)
    assert after["status"] == Status.IN_PROGRESS
    assert after["assignee_id"] == office.manager.pk
    assert after["assigned_at"] >= started
    assert after["closed_at"] is None


def test_reopen_keeps_the_agent_who_held_the_case(office):
    case = bring_to(Status.ANSWERED, office)
    services.case_transition(actor=office.agent, case=case, action="reopen")
    after = row(case)
    assert (after["status"], after["assignee_id"]) == (Status.IN_PROGRESS, office.agent.pk)


def test_release_returns_the_case_to_the_queue_without_assignee(office, subtests):
    for source in sorted(TRANSITIONS["release"].sources):
        with subtests.test(source=source):
            case = bring_to(source, office)
            services.case_mark_opened(actor=office.agent, case=case)
            services.case_transition(actor=office.agent, case=case, action="release")
            after = row(case)
            assert after["status"] == Status.NEW
            assert after["assignee_id"] is None
            assert after["assigned_at"] is None
            assert after["first_opened_at"] is None
            # Back in the queue: a colleague may take it.
            services.case_take(actor=office.agent2, case=case)
            assert row(case)["assignee_id"] == office.agent2.pk


def test_take_and_assign_set_assigned_at_and_reset_first_opened_at(office):
    case = make_case(office.administration)
    assert case.assigned_at is None
    started = timezone.now()
    services.case_take(actor=office.agent, case=case)
    assert started <= row(case)["assigned_at"] <= timezone.now()
    services.case_mark_opened(actor=office.agent, case=case)
    assert row(case)["first_opened_at"] is not None
    reassigned = timezone.now()
    services.case_assign(actor=office.manager, case=case, assignee=office.agent2)
    after = row(case)
    assert after["assigned_at"] >= reassigned
    # Handling time is measured for the agent who answers.
    assert after["first_opened_at"] is None


def test_reply_sets_answered_at_once_and_keeps_the_first_answer_time(office):
    case = bring_to(Status.IN_PROGRESS, office)
    assert row(case)["answered_at"] is None
    started = timezone.now()
    services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    first_answer = row(case)["answered_at"]
    assert started <= first_answer <= timezone.now()
    services.case_transition(actor=office.agent, case=case, action="reopen")
    services.case_send_reply(actor=office.agent, case=case, body="Complément de réponse.")
    assert row(case)["answered_at"] == first_answer


def test_close_sets_closed_at_and_reopen_clears_it(office):
    case = bring_to(Status.ANSWERED, office)
    assert row(case)["closed_at"] is None
    started = timezone.now()
    services.case_transition(actor=office.agent, case=case, action="close")
    assert started <= row(case)["closed_at"] <= timezone.now()
    services.case_transition(actor=office.agent, case=case, action="reopen")
    assert row(case)["closed_at"] is None


def test_transfer_sets_closed_at_on_the_original(office, elsewhere):
    started = timezone.now()
    case = bring_to(Status.TRANSFERRED, office, other_administration=elsewhere)
    assert started <= row(case)["closed_at"] <= timezone.now()


def test_mark_opened_by_the_assignee_sets_first_opened_at_once(office):
    case = bring_to(Status.ASSIGNED, office)
    version = row(case)["version"]
    started = timezone.now()
    services.case_mark_opened(actor=office.agent, case=case)
    first = row(case)["first_opened_at"]
    assert started <= first <= timezone.now()
    assert case.events.filter(kind=CaseEvent.Kind.OPENED).count() == 1

    services.case_mark_opened(actor=office.agent, case=case)
    assert row(case)["first_opened_at"] == first
    assert case.events.filter(kind=CaseEvent.Kind.OPENED).count() == 1
    # Opening is a measurement, not a change that should make an open form stale.
    assert row(case)["version"] == version


def test_mark_opened_by_anyone_but_the_assignee_records_nothing(office, subtests):
    case = bring_to(Status.ASSIGNED, office)
    before = snapshot(case)
    for who in ("manager", "agent2", "administrator"):
        with subtests.test(who=who):
            services.case_mark_opened(actor=getattr(office, who), case=case)
            assert snapshot(case) == before


def test_mark_opened_of_a_queue_case_records_nothing(office):
    case = make_case(office.administration)
    before = snapshot(case)
    services.case_mark_opened(actor=office.agent, case=case)
    assert snapshot(case) == before


# --- versions ---------------------------------------------------------------------------------


def test_version_increments_on_every_change(office, elsewhere):
    o = office
    case = make_case(o.administration)
    assert row(case)["version"] == 1
    steps = [
        lambda c: services.case_take(actor=o.agent, case=c),
        lambda c: services.case_transition(actor=o.agent, case=c, action="start"),
        lambda c: services.case_transition(actor=o.agent, case=c, action="await_usager"),
        lambda c: services.case_transition(actor=o.agent, case=c, action="resume"),
        lambda c: services.case_assign(actor=o.manager, case=c, assignee=o.agent2),
        lambda c: services.case_send_reply(actor=o.agent2, case=c, body=REPLY_TEXT),
        lambda c: services.case_transition(actor=o.agent2, case=c, action="reopen"),
        lambda c: services.case_transition(actor=o.agent2, case=c, action="release"),
        lambda c: services.case_transfer(
            actor=o.manager, case=c, target_administration=elsewhere, reason="Compétence"
        ),
    ]
    for expected, step in enumerate(steps, start=2):
        step(Case.objects.get(pk=case.pk))
        assert row(case)["version"] == expected


def _versioned_calls(o, elsewhere):
    return {
        "case_assign": lambda c, v: services.case_assign(
            actor=o.manager, case=c, assignee=o.agent2, expected_version=v
        ),
        "case_transition": lambda c, v: services.case_transition(
            actor=o.agent, case=c, action="start", expected_version=v
        ),
        "case_send_reply": lambda c, v: services.case_send_reply(
            actor=o.agent, case=c, body=REPLY_TEXT, expected_version=v
        ),
        "case_transfer": lambda c, v: services.case_transfer(
            actor=o.agent,
            case=c,
            target_administration=elsewhere,
            reason="Compétence",
            expected_version=v,
        ),
    }


def test_stale_expected_version_is_refused_and_changes_nothing(office, elsewhere, subtests):
    case = bring_to(Status.ASSIGNED, office)
    before = snapshot(case)
    for service, call in _versioned_calls(office, elsewhere).items():
        for stale in (case.version - 1, case.version + 1):
            with subtests.test(service=service, stale=stale):
                with pytest.raises(ValidationError) as excinfo, translation.override("en"):
                    call(case, stale)
                assert set(excinfo.value.message_dict) == {"version"}
                assert "changed by someone else" in excinfo.value.message_dict["version"][0]
                assert snapshot(case) == before


def test_current_expected_version_is_accepted(office, elsewhere, subtests):
    for service, call in _versioned_calls(office, elsewhere).items():
        with subtests.test(service=service):
            case = bring_to(Status.ASSIGNED, office)
            call(case, case.version)
            assert row(case)["version"] == case.version + 1


def test_form_loaded_before_a_colleagues_change_is_refused(office):
    case = bring_to(Status.ASSIGNED, office)
    seen_version = case.version
    services.case_assign(actor=office.manager, case=case, assignee=office.agent2)
    with pytest.raises(ValidationError) as excinfo:
        services.case_send_reply(
            actor=office.manager, case=case, body=REPLY_TEXT, expected_version=seen_version
        )
    assert set(excinfo.value.message_dict) == {"version"}
    assert not case.replies.exists()


def test_stale_expected_version_is_refused_with_code_stale(office):
    case = bring_to(Status.ASSIGNED, office)
    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(
            actor=office.agent, case=case, action="start", expected_version=case.version - 1
        )
    assert [e.code for e in excinfo.value.error_dict["version"]] == ["stale"]


# --- the journal is append-only --------------------------------------------------------------


@pytest.fixture
def journaled_case(office):
    case = bring_to(Status.ASSIGNED, office)
    assert case.events.count() == 2
    return case


def _journal(case):
    return list(case.events.order_by("pk").values())


def test_saving_an_existing_event_is_refused(journaled_case):
    before = _journal(journaled_case)
    event = journaled_case.events.first()
    event.kind = CaseEvent.Kind.CLOSED
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.save(update_fields=["kind"])
    assert _journal(journaled_case) == before


def test_deleting_an_event_is_refused(journaled_case):
    before = _journal(journaled_case)
    with pytest.raises(TypeError):
        journaled_case.events.first().delete()
    assert _journal(journaled_case) == before


QUERYSET_WRITES = {
    "update": lambda c: CaseEvent.objects.filter(case=c).update(kind="closed"),
    "delete": lambda c: CaseEvent.objects.filter(case=c).delete(),
    "delete all": lambda c: CaseEvent.objects.all().delete(),
    "related update": lambda c: c.events.update(kind="closed"),
    "related delete": lambda c: c.events.all().delete(),
}


def test_queryset_writes_on_events_are_refused(journaled_case, subtests):
    before = _journal(journaled_case)
    for label, operation in QUERYSET_WRITES.items():
        with subtests.test(label):
            with pytest.raises(TypeError):
                operation(journaled_case)
            assert _journal(journaled_case) == before


def test_bulk_update_of_events_is_refused(journaled_case):
    # bulk_update() goes round QuerySet.update(): the database trigger is what stops it.
    before = _journal(journaled_case)
    with pytest.raises((TypeError, DatabaseError)), transaction.atomic():
        CaseEvent.objects.bulk_update(
            [CaseEvent(pk=e.pk, kind="closed") for e in journaled_case.events.all()], ["kind"]
        )
    assert _journal(journaled_case) == before


def test_deleting_a_case_with_a_journal_is_refused(journaled_case):
    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=journaled_case.pk).delete()
    assert Case.objects.filter(pk=journaled_case.pk).exists()


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger test targets PostgreSQL"
)


@postgres_only
def test_database_refuses_raw_sql_on_the_journal(journaled_case, subtests):
    before = _journal(journaled_case)
    for sql in (
        "UPDATE cases_caseevent SET kind = 'closed' WHERE case_id = %s",
        "DELETE FROM cases_caseevent WHERE case_id = %s",
    ):
        with subtests.test(sql=sql.split()[0]):
            # The savepoint keeps the test's transaction usable after the refusal.
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql, [journaled_case.pk])
            assert _journal(journaled_case) == before


@postgres_only
def test_database_refuses_updates_that_bypass_the_event_manager(journaled_case):
    before = _journal(journaled_case)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            CaseEvent._base_manager.filter(case=journaled_case).update(kind="closed")
    assert _journal(journaled_case) == before


def test_journal_lines_chain_from_status_to_status(office, elsewhere):
    """Replay the journal of a busy case: each line starts where the previous one ended."""
    o = office
    case = make_case(o.administration)
    services.case_take(actor=o.agent, case=case)
    services.case_transition(actor=o.agent, case=case, action="start")
    services.case_add_note(actor=o.agent, case=case, body="Vérifier le quotient familial.")
    services.case_mark_opened(actor=o.agent, case=case)
    services.case_send_reply(actor=o.agent, case=case, body=REPLY_TEXT)
    services.case_transition(actor=o.agent, case=case, action="close")
    services.case_transition(actor=o.agent, case=case, action="reopen")
    services.case_transfer(
        actor=o.agent, case=case, target_administration=elsewhere, reason="Compétence"
    )
    status = ""
    for event in case.events.order_by("pk"):
        if event.to_status:
            assert event.from_status == status, event.kind
            status = event.to_status
    assert status == row(case)["status"] == Status.TRANSFERRED
    # The received case has its own two lines: created, received by transfer.
    assert counts()["events"] == case.events.count() + 2
