"""Bad input to the case services: a ValidationError on the field at fault, and nothing written.

Each table runs as subtests of one test, so that the administration and its staff are built once.
"""

import pytest
from django.core.exceptions import ValidationError

from accounts import services as account_services
from accounts.models import Membership, Role
from cases import services
from cases.models import Channel, Status
from cases.services import MAX_TEXT_LENGTH
from tests.case_states import REPLY_TEXT, bring_to, counts, fresh, row
from tests.factories import UserFactory, make_administration, make_case, make_member, make_topic

pytestmark = pytest.mark.django_db


def _refused(call, field: str, code: str | None = None) -> ValidationError:
    """``call`` raises a ValidationError on ``field`` and writes no case, event, note, reply."""
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    if code is not None:
        assert code in [error.code for error in excinfo.value.error_dict[field]]
    assert counts() == before
    return excinfo.value


# --- case_create ---------------------------------------------------------------------------

BAD_CASES = {
    "unknown channel": ({"channel": "fax"}, "channel", "invalid_choice"),
    "empty channel": ({"channel": ""}, "channel", "invalid_choice"),
    "unknown priority": ({"priority": 9}, "priority", "invalid_choice"),
    "zero priority": ({"priority": 0}, "priority", "invalid_choice"),
    "empty subject": ({"subject": ""}, "subject", "required"),
    "blank subject": ({"subject": " \n\t "}, "subject", "required"),
    "empty body": ({"body": ""}, "body", "required"),
    "blank body": ({"body": "   "}, "body", "required"),
    "over-long subject": ({"subject": "x" * 301}, "subject", "max_length"),
    "over-long body": ({"body": "x" * (MAX_TEXT_LENGTH + 1)}, "body", "max_length"),
    "over-long usager name": ({"usager_name": "x" * 201}, "usager_name", "max_length"),
    "malformed usager e-mail": ({"usager_email": "pas-une-adresse"}, "usager_email", "invalid"),
}


def test_case_create_with_bad_input_is_refused_and_writes_nothing(office, subtests):
    for label, (overrides, field, code) in BAD_CASES.items():
        with subtests.test(label):
            _refused(
                lambda overrides=overrides: make_case(
                    office.administration, actor=office.agent, **overrides
                ),
                field,
                code,
            )


def test_case_create_accepts_text_at_the_length_limits(office):
    case = make_case(office.administration, subject="s" * 300, body="b" * MAX_TEXT_LENGTH)
    assert (len(case.subject), len(case.body)) == (300, MAX_TEXT_LENGTH)


def test_case_create_accepts_every_known_channel(office):
    for channel in Channel.values:
        assert make_case(office.administration, channel=channel).channel == channel


def test_case_create_with_a_topic_of_another_administration_is_refused(office, elsewhere):
    foreign_topic = make_topic(elsewhere, name="Remboursements")
    error = _refused(
        lambda: make_case(office.administration, topic=foreign_topic), "topic", "invalid_choice"
    )
    assert set(error.message_dict) == {"topic"}


def test_case_create_accepts_a_national_or_own_topic(office):
    for topic in (make_topic(None, "Famille"), make_topic(office.administration, "APL")):
        assert make_case(office.administration, topic=topic).topic == topic


def test_refused_case_create_does_not_consume_a_reference(office):
    first = make_case(office.administration)
    _refused(lambda: make_case(office.administration, body=""), "body")
    second = make_case(office.administration)
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


# --- replies and notes ---------------------------------------------------------------------


def test_reply_to_a_case_that_is_not_being_worked_is_refused(office, elsewhere, subtests):
    for status in (Status.CLOSED, Status.TRANSFERRED, Status.ANSWERED, Status.NEW):
        with subtests.test(status=status):
            case = bring_to(status, office, other_administration=elsewhere)
            before = row(case)
            _refused(
                lambda case=case: services.case_send_reply(
                    actor=office.manager, case=case, body=REPLY_TEXT
                ),
                "status",
                "invalid_transition",
            )
            assert row(case) == before


def test_reply_with_bad_body_is_refused(office, subtests):
    case = bring_to(Status.IN_PROGRESS, office)
    before = row(case)
    for label, body in {
        "empty": "",
        "blank": "  \n ",
        "over-long": "x" * (MAX_TEXT_LENGTH + 1),
    }.items():
        with subtests.test(label):
            _refused(
                lambda body=body: services.case_send_reply(
                    actor=office.agent, case=case, body=body
                ),
                "body",
            )
            assert row(case) == before


def test_note_with_bad_body_is_refused(office, subtests):
    case = bring_to(Status.IN_PROGRESS, office)
    before = row(case)
    for label, body in {"empty": "", "blank": " ", "over-long": "x" * 10_001}.items():
        with subtests.test(label):
            _refused(
                lambda body=body: services.case_add_note(actor=office.agent, case=case, body=body),
                "body",
            )
            assert row(case) == before


# --- transfers -----------------------------------------------------------------------------


def test_transfer_with_bad_input_is_refused(office, elsewhere, subtests):
    table = {
        "to its own administration": (
            office.administration,
            "Compétence",
            "target_administration",
            "invalid_choice",
        ),
        "without target": (None, "Compétence", "target_administration", "required"),
        "without reason": (elsewhere, "", "reason", "required"),
        "with a blank reason": (elsewhere, "   ", "reason", "required"),
        "with an over-long reason": (elsewhere, "x" * 2_001, "reason", "max_length"),
    }
    case = bring_to(Status.ASSIGNED, office)
    before = row(case)
    for label, (target, reason, field, code) in table.items():
        with subtests.test(label):
            _refused(
                lambda target=target, reason=reason: services.case_transfer(
                    actor=office.agent, case=case, target_administration=target, reason=reason
                ),
                field,
                code,
            )
            assert row(case) == before
    assert not elsewhere.cases.exists()


# --- assignment ----------------------------------------------------------------------------


def _assign_refused(office, case, assignee, code: str = "invalid_assignee") -> None:
    before = row(case)
    _refused(
        lambda: services.case_assign(actor=office.manager, case=case, assignee=assignee),
        "assignee",
        code,
    )
    assert row(case) == before


def test_assign_to_a_member_of_another_administration_is_refused(office, elsewhere):
    stranger = make_member(elsewhere, Role.AGENT)
    _assign_refused(office, make_case(office.administration), stranger)


def test_assign_to_a_deactivated_member_is_refused(office):
    account_services.membership_set_active(
        membership=Membership.objects.get(user=office.agent2, administration=office.administration),
        active=False,
    )
    _assign_refused(office, make_case(office.administration), fresh(office.agent2))


def test_assign_to_a_deactivated_user_is_refused(office):
    office.agent2.is_active = False
    office.agent2.save(update_fields=["is_active"])
    _assign_refused(office, make_case(office.administration), fresh(office.agent2))


def test_assign_to_a_user_without_membership_is_refused(office):
    _assign_refused(office, make_case(office.administration), UserFactory())


def test_assign_to_the_current_assignee_is_refused(office):
    _assign_refused(office, bring_to(Status.ASSIGNED, office), office.agent, "unchanged")


def test_assign_to_a_member_of_the_parent_administration_is_refused(office):
    child = make_administration("Antenne de Villeurbanne", parent=office.administration)
    manager = make_member(child, Role.MANAGER)
    case = make_case(child)
    _refused(
        lambda: services.case_assign(actor=manager, case=case, assignee=office.agent),
        "assignee",
    )
