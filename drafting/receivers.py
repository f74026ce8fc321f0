"""Drafting's reactions to cases' domain events (connected in DraftingConfig.ready).

The events are sent inside the change's transaction (cases/signals.py): the receivers only
write follow-up rows, which commit with the change; their tasks run after commit.
"""

from accounts.followups.registry import followup_add

from . import tasks


def on_case_created(sender, *, case_id: int, **kwargs) -> None:
    followup_add(kind=tasks.PREPARE_CASE, case_id=case_id)


def on_reply_sent(sender, *, case_id: int, reply_id: int, **kwargs) -> None:
    # The decision is recorded from the draft as it was when the reply left. Past replies reach
    # later drafts only through the answer bank (drafting/answers/receivers.py), never by
    # indexing every answered case.
    followup_add(kind=tasks.RECORD_SENT_REPLY, case_id=case_id, reply_id=reply_id)
