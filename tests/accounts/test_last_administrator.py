"""An administration always keeps at least one active administrator."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Membership, Role
from tests.factories import make_member


def _membership(user, tenant):
    return Membership.objects.get(user=user, administration=tenant.administration)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: services.membership_change_role(membership=m, role=Role.MANAGER),
        lambda m: services.membership_set_active(membership=m, active=False),
        lambda m: services.membership_delete(membership=m),
    ],
    ids=["demote", "deactivate", "delete"],
)
def test_the_last_administrator_cannot_be_demoted_deactivated_or_removed(tenant_a, change):
    membership = _membership(tenant_a.administrator, tenant_a)
    with pytest.raises(ValidationError) as exc:
        change(membership)
    assert exc.value.error_dict["role"][0].code == "last_administrator"
    membership.refresh_from_db()
    assert membership.role == Role.ADMINISTRATOR and membership.is_active


def test_with_a_second_administrator_the_first_can_step_down(tenant_a):
    make_member(tenant_a.administration, Role.ADMINISTRATOR)
    membership = services.membership_change_role(
        membership=_membership(tenant_a.administrator, tenant_a), role=Role.AGENT
    )
    assert membership.role == Role.AGENT


def test_an_inactive_second_administrator_does_not_count(tenant_a):
    other = make_member(tenant_a.administration, Role.ADMINISTRATOR)
    other.is_active = False
    other.save()
    with pytest.raises(ValidationError):
        services.membership_set_active(
            membership=_membership(tenant_a.administrator, tenant_a), active=False
        )


def test_other_roles_change_freely(tenant_a):
    membership = services.membership_change_role(
        membership=_membership(tenant_a.agent, tenant_a), role=Role.MANAGER
    )
    assert membership.role == Role.MANAGER
    assert not services.membership_set_active(membership=membership, active=False).is_active
