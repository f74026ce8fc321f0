"""The case policy (cases/permissions.py) is one answer: for every role and every case state,
what the case page offers, what the API's ``abilities`` lists and what the services accept are
the same set of abilities."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from cases import selectors, services
from cases.delivery.services import delivery_retry
from cases.models import Case, CaseEvent, Delivery, Reply, Status
from cases.permissions import Ability, case_abilities, require_ability
from tests.case_states import REPLY_TEXT, bring_to, fresh

pytestmark = pytest.mark.django_db

ROLES = ("agent", "agent2", "manager", "administrator")  # "agent" holds the working cases
STATES = [s.value for s in Status]


class _Rollback(Exception):
    pass


def _service_accepts(call) -> bool:
    """Whether the service accepts the call; nothing it writes is kept."""
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        return True
    except (PermissionDenied, ValidationError, Case.DoesNotExist):
        return False


def _service_call(ability: Ability, user, case: Case, office, elsewhere):
    case = Case.objects.get(pk=case.pk)
    if ability is Ability.VIEW:
        return lambda: selectors.case_get(user, pk=case.pk)
    if ability is Ability.TAKE:
        return lambda: services.case_take(actor=user, case=case)
    if ability is Ability.ASSIGN:
        return lambda: services.case_assign(actor=user, case=case, assignee=office.agent2)
    if ability is Ability.REPLY:
        return lambda: services.case_send_reply(actor=user, case=case, body=REPLY_TEXT)
    if ability is Ability.NOTE:
        return lambda: services.case_add_note(actor=user, case=case, body="Pièce demandée.")
    if ability is Ability.TRANSFER:
        return lambda: services.case_transfer(
            actor=user, case=case, target_administration=elsewhere, reason="Hors compétence."
        )
    if ability is Ability.RETRY_DELIVERY:

        def retry():
            reply = Reply.objects.create(case=case, author=office.agent, body=REPLY_TEXT)
            delivery = Delivery.objects.create(
                reply=reply, backend=Delivery.Backend.EMAIL, status=Delivery.Status.FAILED
            )
            delivery_retry(actor=user, delivery=delivery)

        return retry
    return lambda: services.case_transition(actor=user, case=case, action=ability.value)


def _page_offers(context) -> set[Ability]:
    offered = {Ability.VIEW}
    flags = {
        "can_take": Ability.TAKE,
        "can_assign": Ability.ASSIGN,
        "can_reply": Ability.REPLY,
        "can_transfer": Ability.TRANSFER,
        "can_work": Ability.NOTE,
        "can_retry_delivery": Ability.RETRY_DELIVERY,
    }
    offered |= {ability for flag, ability in flags.items() if context[flag]}
    offered |= {Ability(name) for name, _label in context["actions"]}
    return offered


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_page_api_and_services_agree(office, elsewhere, client, role, status):
    case = bring_to(status, office, other_administration=elsewhere)
    user = getattr(office, role)
    policy = case_abilities(fresh(user), Case.objects.get(pk=case.pk))

    client.force_login(user)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    offered = _page_offers(page.context)

    api = APIClient()
    api.force_login(user)
    response = api.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200, response.content
    listed = {Ability(value) for value in response.json()["abilities"]}

    accepted = {
        ability
        for ability in Ability
        if _service_accepts(_service_call(ability, fresh(user), case, office, elsewhere))
    }
    assert offered == policy, f"page {sorted(offered)} != policy {sorted(policy)}"
    assert listed == policy, f"API {sorted(listed)} != policy {sorted(policy)}"
    assert accepted == policy, f"services {sorted(accepted)} != policy {sorted(policy)}"


def test_the_expected_abilities_of_each_role_on_a_working_case(office):
    case = bring_to(Status.IN_PROGRESS, office)
    working = {
        Ability.VIEW,
        Ability.NOTE,
        Ability.RELEASE,
        Ability.AWAIT_USAGER,
        Ability.CLOSE,
        Ability.REPLY,
        Ability.TRANSFER,
    }
    assert case_abilities(fresh(office.agent), case) == working
    assert case_abilities(fresh(office.agent2), case) == {Ability.VIEW, Ability.NOTE}
    manager = working | {Ability.ASSIGN, Ability.RETRY_DELIVERY}
    assert case_abilities(fresh(office.manager), case) == manager


@translation.override("en")
def test_require_ability_says_why(office):
    case = bring_to(Status.NEW, office)
    with pytest.raises(PermissionDenied, match="Only managers close"):
        require_ability(fresh(office.agent), case, Ability.CLOSE)
    with pytest.raises(PermissionDenied, match="Only managers assign"):
        require_ability(fresh(office.agent), case, Ability.ASSIGN)
    taken = services.case_take(actor=office.agent, case=case)
    with pytest.raises(PermissionDenied, match="assigned to someone else"):
        require_ability(fresh(office.agent2), taken, Ability.REPLY)
    require_ability(fresh(office.manager), taken, Ability.REPLY)


def test_self_assignment_takes_the_case_on_the_page_as_in_the_api(office, client):
    """One path: a manager choosing themselves for a queue case takes it (journal: taken)."""
    on_page = bring_to(Status.NEW, office)
    client.force_login(office.manager)
    client.post(
        reverse("cases:assign", args=[on_page.pk]),
        {"assignee": office.manager.pk, "version": on_page.version},
    )
    through_api = bring_to(Status.NEW, office)
    api = APIClient()
    api.force_login(office.manager)
    response = api.post(
        f"/api/v1/cases/{through_api.pk}/assign/", {"assignee": office.manager.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    for case in (on_page, through_api):
        case.refresh_from_db()
        assert case.assignee_id == office.manager.pk
        assert case.status == Status.ASSIGNED
        assert case.events.order_by("-pk").first().kind == CaseEvent.Kind.TAKEN
