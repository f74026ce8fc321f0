"""The cross-tenant matrix: a case of another administration answers 404, like a missing one.

Every service and selector is tried by an agent, a manager and an administrator of B and of C
on a case of A that is in a state where the action would otherwise be allowed.
"""

import pytest
from django.core.exceptions import PermissionDenied

from accounts import services as account_services
from accounts.models import Membership, Role, User
from cases import selectors, services
from cases.models import Case, Status
from cases.selectors import InboxFilters
from cases.transitions import TRANSITIONS
from tests.case_states import REPLY_TEXT, bring_to, fresh, snapshot
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db

ROLES = ["agent", "manager", "administrator"]
# (index in ``tenants``, role): the staff of B and of C.
OUTSIDERS = [(index, role) for index in (1, 2) for role in ROLES]


def _outsiders(tenants):
    for index, role in OUTSIDERS:
        yield f"{role} of {'ABC'[index]}", getattr(tenants[index], role)


BOXES = ["mine", "queue", "all"]

# The state of A's case in which each action would be allowed for A's own staff.
GENERIC_SOURCE = {
    "release": Status.ASSIGNED,
    "start": Status.ASSIGNED,
    "await_usager": Status.IN_PROGRESS,
    "resume": Status.AWAITING_USAGER,
    "close": Status.ASSIGNED,
    "reopen": Status.ANSWERED,
}
assert set(GENERIC_SOURCE) == {name for name, t in TRANSITIONS.items() if t.generic}


def _attempts(a, outsider: User):
    """name -> (source status of A's case, the call an outsider makes on it)."""
    attempts = {
        "case_assign-to-a-member-of-A": (
            Status.NEW,
            lambda c: services.case_assign(actor=outsider, case=c, assignee=a.agent),
        ),
        "case_assign-to-self": (
            Status.NEW,
            lambda c: services.case_assign(actor=outsider, case=c, assignee=outsider),
        ),
        "case_take": (Status.NEW, lambda c: services.case_take(actor=outsider, case=c)),
        "case_mark_opened": (
            Status.ASSIGNED,
            lambda c: services.case_mark_opened(actor=outsider, case=c),
        ),
        "case_add_note": (
            Status.ASSIGNED,
            lambda c: services.case_add_note(actor=outsider, case=c, body="Vu."),
        ),
        "case_send_reply": (
            Status.IN_PROGRESS,
            lambda c: services.case_send_reply(actor=outsider, case=c, body=REPLY_TEXT),
        ),
        "case_transfer-to-own-administration": (
            Status.IN_PROGRESS,
            lambda c: services.case_transfer(
                actor=outsider,
                case=c,
                target_administration=outsider.memberships.get().administration,
                reason="Je le prends.",
            ),
        ),
    }
    for action, source in GENERIC_SOURCE.items():
        attempts[f"case_transition-{action}"] = (
            source,
            lambda c, action=action: services.case_transition(
                actor=outsider, case=c, action=action
            ),
        )
    return attempts


ATTEMPTS = list(_attempts(None, None))


def test_staff_of_other_administration_acting_on_a_case_gets_404_and_changes_nothing(
    tenants, subtests
):
    a = tenants[0]
    for attempt in ATTEMPTS:
        source = _attempts(a, a.agent)[attempt][0]
        case = bring_to(source, a)
        before = snapshot(case)
        for who, outsider in _outsiders(tenants):
            with subtests.test(attempt=attempt, who=who):
                call = _attempts(a, outsider)[attempt][1]
                with pytest.raises(Case.DoesNotExist):
                    call(case)
                assert snapshot(case) == before


def test_staff_of_other_administration_cannot_read_a_case(tenants, subtests):
    a = tenants[0]
    case = bring_to(Status.ASSIGNED, a)
    for who, outsider in _outsiders(tenants):
        with subtests.test(who=who):
            assert not selectors.cases_visible_to(outsider).filter(pk=case.pk).exists()
            with pytest.raises(Case.DoesNotExist):
                selectors.case_get(outsider, pk=case.pk)
            with pytest.raises(Case.DoesNotExist):
                selectors.case_get(
                    outsider, reference=case.reference, administration=a.administration
                )


def test_case_of_other_administration_looks_exactly_like_a_missing_case(tenants):
    a, b, _c = tenants
    case = make_case(a.administration)
    missing_pk = Case.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    errors = []
    for pk in (case.pk, missing_pk):
        with pytest.raises(Case.DoesNotExist) as excinfo:
            selectors.case_get(b.manager, pk=pk)
        errors.append(str(excinfo.value))
    assert errors[0] == errors[1]


def test_inbox_of_other_administration_is_empty_for_outsiders(tenants, subtests):
    a = tenants[0]
    make_case(a.administration)
    bring_to(Status.ASSIGNED, a)
    for who, outsider in _outsiders(tenants):
        for box in BOXES:
            with subtests.test(who=who, box=box):
                assert not selectors.inbox(outsider, a.administration, InboxFilters(box=box))


@pytest.fixture
def populated(tenants):
    """Each administration with a queue case, an assigned case and a closed case."""
    by_tenant = {}
    for tenant in tenants:
        by_tenant[tenant.administration.pk] = {
            make_case(tenant.administration).pk,
            bring_to(Status.ASSIGNED, tenant).pk,
            bring_to(Status.CLOSED, tenant).pk,
        }
    return by_tenant


def test_lists_never_contain_another_tenants_rows(tenants, populated, subtests):
    for tenant in tenants:
        own = populated[tenant.administration.pk]
        for role in ("agent", "agent2", "manager", "administrator"):
            user = getattr(tenant, role)
            with subtests.test(tenant=tenant.administration.code, role=role):
                visible = set(selectors.cases_visible_to(user).values_list("pk", flat=True))
                assert visible == own
                for box in BOXES:
                    listed = selectors.inbox(user, tenant.administration, InboxFilters(box=box))
                    assert {c.pk for c in listed} <= own
                    for other in tenants:
                        if other is not tenant:
                            assert not selectors.inbox(
                                user, other.administration, InboxFilters(box=box)
                            )
                everything = selectors.inbox(user, tenant.administration, InboxFilters(box="all"))
                assert {c.pk for c in everything} == own


def test_search_by_reference_does_not_reach_another_tenant(tenants, populated):
    a, b, _c = tenants
    case_of_a = Case.objects.filter(administration=a.administration).first()
    found = selectors.inbox(
        b.manager, b.administration, InboxFilters(box="all", q=case_of_a.reference)
    )
    assert list(found) == []


def test_timeline_is_reached_only_through_case_get(tenants):
    a, b, _c = tenants
    case = bring_to(Status.ANSWERED, a)
    own = selectors.case_get(a.agent, pk=case.pk)
    assert [e.kind for e in selectors.case_timeline(own)] == list(
        case.events.order_by("pk").values_list("kind", flat=True)
    )
    with pytest.raises(Case.DoesNotExist):
        selectors.case_timeline(selectors.case_get(b.administrator, pk=case.pk))


def test_member_of_two_administrations_sees_both_and_not_the_third(tenants, populated):
    a, b, c = tenants
    account_services.membership_create(
        user=a.agent, administration=b.administration, role=Role.AGENT
    )
    user = fresh(a.agent)
    visible = set(selectors.cases_visible_to(user).values_list("pk", flat=True))
    assert visible == populated[a.administration.pk] | populated[b.administration.pk]
    case_of_b = make_case(b.administration)
    assert selectors.case_get(user, pk=case_of_b.pk) == case_of_b
    services.case_take(actor=user, case=case_of_b)
    case_of_c = make_case(c.administration)
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(user, pk=case_of_c.pk)
    with pytest.raises(Case.DoesNotExist):
        services.case_take(actor=user, case=case_of_c)
    assert not selectors.inbox(user, c.administration, InboxFilters(box="all"))


def test_inactive_user_sees_nothing_and_can_do_nothing(tenants, populated):
    a = tenants[0]
    case = bring_to(Status.ASSIGNED, a)
    User.objects.filter(pk=a.agent.pk).update(is_active=False)
    user = fresh(a.agent)
    assert not selectors.cases_visible_to(user).exists()
    for box in BOXES:
        assert not selectors.inbox(user, a.administration, InboxFilters(box=box))
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(user, pk=case.pk)
    before = snapshot(case)
    with pytest.raises(Case.DoesNotExist):
        services.case_send_reply(actor=user, case=case, body=REPLY_TEXT)
    with pytest.raises(Case.DoesNotExist):
        services.case_transition(actor=user, case=case, action="start")
    assert snapshot(case) == before


def test_deactivated_membership_sees_nothing_of_that_administration(tenants, populated):
    a, b, _c = tenants
    account_services.membership_create(
        user=a.manager, administration=b.administration, role=Role.AGENT
    )
    case = bring_to(Status.ASSIGNED, a)
    account_services.membership_set_active(
        membership=Membership.objects.get(user=a.manager, administration=a.administration),
        active=False,
    )
    user = fresh(a.manager)
    visible = set(selectors.cases_visible_to(user).values_list("pk", flat=True))
    assert visible == populated[b.administration.pk]
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(user, pk=case.pk)
    before = snapshot(case)
    with pytest.raises(Case.DoesNotExist):
        services.case_assign(actor=user, case=case, assignee=a.agent2)
    with pytest.raises(Case.DoesNotExist):
        services.case_add_note(actor=user, case=case, body="Encore là ?")
    assert snapshot(case) == before


def test_user_without_any_membership_sees_nothing(tenants, populated):
    user = UserFactory()
    assert not selectors.cases_visible_to(user).exists()
    case = Case.objects.first()
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(user, pk=case.pk)
    with pytest.raises(Case.DoesNotExist):
        services.case_take(actor=user, case=case)


def test_national_staff_see_every_administration(tenants, populated):
    staff = UserFactory(is_superuser=True, is_staff=True)
    visible = set(selectors.cases_visible_to(staff).values_list("pk", flat=True))
    assert visible == set().union(*populated.values())
    for tenant in tenants:
        listed = {
            c.pk for c in selectors.inbox(staff, tenant.administration, InboxFilters(box="all"))
        }
        assert listed == populated[tenant.administration.pk]


def test_staff_of_other_administration_cannot_open_a_case_there(tenants, subtests):
    a = tenants[0]
    before = Case.objects.count()
    for who, outsider in _outsiders(tenants):
        with subtests.test(who=who):
            with pytest.raises(PermissionDenied):
                make_case(a.administration, actor=outsider)
    assert Case.objects.count() == before


def test_after_a_transfer_each_side_sees_only_its_own_case(tenants):
    a, b, _c = tenants
    original = bring_to(Status.TRANSFERRED, a, other_administration=b.administration)
    received = Case.objects.get(transferred_from=original)
    assert selectors.case_get(a.agent, pk=original.pk) == original
    assert selectors.case_get(b.agent, pk=received.pk) == received
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(a.agent, pk=received.pk)
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(b.agent, pk=original.pk)
    with pytest.raises(Case.DoesNotExist):
        services.case_take(actor=a.agent, case=received)
