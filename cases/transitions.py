"""The case lifecycle: the one table of allowed status changes.

Each action names the statuses it starts from and the status it leads to. Some actions are
only reachable through their own service (``assign`` through case_assign/case_take,
``answer`` through case_send_reply, ``transfer`` through case_transfer); the others go
through case_transition.
"""

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Status


class Transition(NamedTuple):
    sources: frozenset[str]
    target: str
    label: str
    # Reachable through case_transition (the others have a service of their own).
    generic: bool


_WORKING = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_USAGER})

TRANSITIONS: dict[str, Transition] = {
    "assign": Transition(frozenset({Status.NEW}) | _WORKING, Status.ASSIGNED, _("Assign"), False),
    "release": Transition(_WORKING, Status.NEW, _("Return to the queue"), True),
    "start": Transition(frozenset({Status.ASSIGNED}), Status.IN_PROGRESS, _("Start"), True),
    "await_usager": Transition(
        frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
        Status.AWAITING_USAGER,
        _("Wait for the usager"),
        True,
    ),
    "resume": Transition(
        frozenset({Status.AWAITING_USAGER}), Status.IN_PROGRESS, _("Resume"), True
    ),
    "answer": Transition(_WORKING, Status.ANSWERED, _("Send the reply"), False),
    "close": Transition(
        frozenset({Status.NEW, Status.ANSWERED}) | _WORKING,
        Status.CLOSED,
        pgettext_lazy("case action", "Close"),
        True,
    ),
    "reopen": Transition(
        frozenset({Status.ANSWERED, Status.CLOSED}), Status.IN_PROGRESS, _("Reopen"), True
    ),
    "transfer": Transition(
        frozenset({Status.NEW}) | _WORKING, Status.TRANSFERRED, _("Transfer"), False
    ),
}


def allowed_actions(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]
