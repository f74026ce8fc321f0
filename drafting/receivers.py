"""Drafting's reactions to cases' domain events (connected in DraftingConfig.ready).

The events are sent after commit; the receivers only queue tasks with ids.
"""

from . import tasks


def on_case_created(sender, *, case_id: int, **kwargs) -> None:
    tasks.prepare_new_case.delay(case_id)


def on_reply_sent(sender, *, case_id: int, reply_id: int, **kwargs) -> None:
    # The decision is recorded from the draft as it was when the reply left. Past replies reach
    # later drafts only through the answer bank (drafting/answers/receivers.py), never by
    # indexing every answered case.
    tasks.record_sent_reply.delay(case_id, reply_id)
