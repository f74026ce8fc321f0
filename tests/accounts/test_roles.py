import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Administration, Membership, Role, User
from accounts.permissions import (
    ASSIGN_CASES,
    MANAGE_MEMBERS,
    ROLE_PERMISSIONS,
    VIEW_AUDIT,
    VIEW_CASES,
    WORK_CASES,
    administrations_with_perm,
    has_administration_perm,
    require_administration_perm,
)
from tests.case_states import fresh
from tests.factories import UserFactory, make_administration, make_member

pytestmark = pytest.mark.django_db

ALL_PERMS = [codename for codename, _label in Administration._meta.permissions]


def _perms(user: User, administration: Administration) -> set[str]:
    # A fresh user object each time: the checker caches its answers on the object.
    user = fresh(user)
    return {perm for perm in ALL_PERMS if has_administration_perm(user, perm, administration)}


def _membership(user: User, administration: Administration) -> Membership:
    return Membership.objects.get(user=user, administration=administration)


def test_role_permissions_only_name_declared_permissions():
    for perms in ROLE_PERMISSIONS.values():
        assert perms <= set(ALL_PERMS)
    assert ROLE_PERMISSIONS[Role.AGENT] < ROLE_PERMISSIONS[Role.MANAGER]
    assert ROLE_PERMISSIONS[Role.MANAGER] < ROLE_PERMISSIONS[Role.ADMINISTRATOR]


def test_member_holds_exactly_the_permissions_of_their_role(subtests):
    administration = make_administration()
    for role in Role.values:
        with subtests.test(role=role):
            user = make_member(administration, role)
            assert _perms(user, administration) == set(ROLE_PERMISSIONS[role])
            # The same answer with the app label in the permission name.
            user = fresh(user)
            for perm in ALL_PERMS:
                assert has_administration_perm(user, f"accounts.{perm}", administration) == (
                    perm in ROLE_PERMISSIONS[role]
                )


def test_deactivating_a_membership_removes_every_permission_at_once(subtests):
    administration = make_administration()
    make_member(administration, Role.ADMINISTRATOR)  # someone stays administrator
    for role in Role.values:
        with subtests.test(role=role):
            user = make_member(administration, role)
            services.membership_set_active(
                membership=_membership(user, administration), active=False
            )
            assert _perms(user, administration) == set()
            assert not administrations_with_perm(fresh(user), VIEW_CASES).exists()


def test_reactivating_a_membership_gives_the_role_back():
    administration = make_administration()
    user = make_member(administration, Role.MANAGER)
    membership = _membership(user, administration)
    services.membership_set_active(membership=membership, active=False)
    services.membership_set_active(membership=membership, active=True)
    assert _perms(user, administration) == set(ROLE_PERMISSIONS[Role.MANAGER])


def test_changing_role_changes_permissions(subtests):
    administration = make_administration()
    for old, new in [
        (Role.AGENT, Role.MANAGER),
        (Role.MANAGER, Role.ADMINISTRATOR),
        (Role.ADMINISTRATOR, Role.AGENT),
        (Role.MANAGER, Role.AGENT),
    ]:
        with subtests.test(old=old, new=new):
            user = make_member(administration, old)
            services.membership_change_role(membership=_membership(user, administration), role=new)
            assert _perms(user, administration) == set(ROLE_PERMISSIONS[new])
            # One role group at a time: the old group is left.
            groups = fresh(user).groups.filter(role_group__administration=administration)
            assert groups.count() == 1


def test_membership_create_again_updates_role_and_reactivates():
    administration = make_administration()
    user = make_member(administration, Role.AGENT)
    services.membership_set_active(membership=_membership(user, administration), active=False)
    services.membership_create(user=user, administration=administration, role=Role.MANAGER)
    membership = _membership(user, administration)
    assert membership.is_active
    assert membership.deactivated_at is None
    assert _perms(user, administration) == set(ROLE_PERMISSIONS[Role.MANAGER])


def test_deleting_a_membership_removes_permissions():
    administration = make_administration()
    make_member(administration, Role.ADMINISTRATOR)  # someone stays administrator
    user = make_member(administration, Role.ADMINISTRATOR)
    services.membership_delete(membership=_membership(user, administration))
    assert _perms(user, administration) == set()


def test_user_of_two_administrations_has_each_role_where_it_applies_and_nothing_elsewhere():
    a, b, c = make_administration(), make_administration(), make_administration()
    user = make_member(a, Role.AGENT)
    services.membership_create(user=user, administration=b, role=Role.ADMINISTRATOR)
    assert _perms(user, a) == set(ROLE_PERMISSIONS[Role.AGENT])
    assert _perms(user, b) == set(ROLE_PERMISSIONS[Role.ADMINISTRATOR])
    assert _perms(user, c) == set()


def test_deactivating_one_membership_keeps_the_other_administration():
    a, b = make_administration(), make_administration()
    user = make_member(a, Role.MANAGER)
    services.membership_create(user=user, administration=b, role=Role.AGENT)
    services.membership_set_active(membership=_membership(user, a), active=False)
    assert _perms(user, a) == set()
    assert _perms(user, b) == set(ROLE_PERMISSIONS[Role.AGENT])


def test_superuser_has_every_permission_everywhere_without_membership():
    a, b = make_administration(), make_administration()
    staff = UserFactory(is_superuser=True, is_staff=True)
    assert _perms(staff, a) == set(ALL_PERMS)
    assert _perms(staff, b) == set(ALL_PERMS)
    assert set(administrations_with_perm(staff, VIEW_AUDIT)) == {a, b}


def test_user_without_membership_has_nothing():
    administration = make_administration()
    user = UserFactory()
    assert _perms(user, administration) == set()
    assert not administrations_with_perm(user, VIEW_CASES).exists()


def test_inactive_user_has_nothing_even_with_active_membership():
    administration = make_administration()
    user = make_member(administration, Role.ADMINISTRATOR)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _perms(user, administration) == set()
    assert not administrations_with_perm(fresh(user), VIEW_CASES).exists()


def test_anonymous_user_has_nothing():
    from django.contrib.auth.models import AnonymousUser

    administration = make_administration()
    assert not has_administration_perm(AnonymousUser(), VIEW_CASES, administration)
    assert not administrations_with_perm(AnonymousUser(), VIEW_CASES).exists()


def test_administrations_with_perm_returns_exactly_where_the_role_grants_it():
    a, b, c = make_administration(), make_administration(), make_administration()
    user = make_member(a, Role.AGENT)
    services.membership_create(user=user, administration=b, role=Role.MANAGER)
    services.membership_create(user=user, administration=c, role=Role.ADMINISTRATOR)
    make_member(c, Role.ADMINISTRATOR)  # someone stays administrator of c
    services.membership_set_active(membership=_membership(user, c), active=False)
    user = fresh(user)
    assert set(administrations_with_perm(user, VIEW_CASES)) == {a, b}
    assert set(administrations_with_perm(user, WORK_CASES)) == {a, b}
    assert set(administrations_with_perm(user, ASSIGN_CASES)) == {b}
    assert set(administrations_with_perm(user, f"accounts.{ASSIGN_CASES}")) == {b}
    assert set(administrations_with_perm(user, MANAGE_MEMBERS)) == set()


def test_require_administration_perm_raises_permission_denied():
    administration = make_administration()
    agent = fresh(make_member(administration, Role.AGENT))
    require_administration_perm(agent, WORK_CASES, administration)
    with pytest.raises(PermissionDenied):
        require_administration_perm(agent, ASSIGN_CASES, administration)


def test_membership_create_with_unknown_role_is_refused_and_writes_nothing():
    administration = make_administration()
    user = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.membership_create(user=user, administration=administration, role="boss")
    assert set(excinfo.value.message_dict) == {"role"}
    assert not Membership.objects.filter(user=user).exists()
    assert not fresh(user).groups.exists()


def test_role_groups_ensure_is_idempotent():
    administration = make_administration()
    first = services.role_groups_ensure(administration=administration)
    second = services.role_groups_ensure(administration=administration)
    assert {k: g.pk for k, g in first.items()} == {k: g.pk for k, g in second.items()}
    assert administration.role_groups.count() == len(Role.values)


def test_membership_change_role_with_unknown_role_is_refused_and_changes_nothing():
    administration = make_administration()
    user = make_member(administration, Role.AGENT)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_change_role(membership=_membership(user, administration), role="boss")
    assert set(excinfo.value.message_dict) == {"role"}
    assert _membership(user, administration).role == Role.AGENT
    assert _perms(user, administration) == set(ROLE_PERMISSIONS[Role.AGENT])
