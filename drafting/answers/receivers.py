"""The answer bank's reactions to cases' domain events, and its journal vocabulary.

Imported from ``DraftingConfig.ready()``: importing it registers the journal actions and
connects the receivers (events are sent inside the change's transaction: the receiver writes
a follow-up row, handled by ``drafting.tasks.learn_from_sent_reply`` after commit).
"""

from accounts.followups.registry import followup_add
from cases import signals
from drafting import tasks as drafting_tasks

from . import audit_actions

__all__ = ["audit_actions", "on_reply_sent"]


def on_reply_sent(sender, *, case_id: int, reply_id: int, given: str = "", **kwargs) -> None:
    # An answer given at the counter or on the phone is the agent's note of what they said
    # ("je lui ai expliqué que…"), not a reply written for a usager to read: never learned.
    if given:
        return
    followup_add(kind=drafting_tasks.LEARN_FROM_REPLY, reply_id=reply_id)


signals.reply_sent.connect(on_reply_sent, dispatch_uid="drafting.answers.reply_sent")
