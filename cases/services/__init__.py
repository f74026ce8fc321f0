"""Every write on cases, one module per part of the work; the names are re-exported here so
that ``from cases import services; services.case_take(...)`` keeps working.

Each service checks who acts (the case policy, cases/permissions.py), locks the case, changes
it, writes its journal line in the same transaction (services/journal.py) and announces domain
events after commit. The administration settings, intake, delivery and survey rooms hold their
own services (cases/administration_settings/, cases/intake/, cases/delivery/, cases/survey/).
"""

from .assignment import case_assign, case_give, case_take
from .common import MAX_TEXT_LENGTH, invalid
from .journal import case_event_record, case_events_record_many
from .lifecycle import (
    case_create,
    case_mark_opened,
    case_transition,
    cases_release_of_member,
    response_days,
)
from .replies import (
    NOTHING_SAID,
    case_add_note,
    case_add_usager_message,
    case_send_reply,
    reply_says_nothing,
)
from .transfer import case_transfer

__all__ = [
    "MAX_TEXT_LENGTH",
    "NOTHING_SAID",
    "case_add_note",
    "case_add_usager_message",
    "case_assign",
    "case_create",
    "case_event_record",
    "case_events_record_many",
    "case_give",
    "case_mark_opened",
    "case_send_reply",
    "case_take",
    "case_transfer",
    "case_transition",
    "cases_release_of_member",
    "invalid",
    "reply_says_nothing",
    "response_days",
]
