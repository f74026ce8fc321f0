"""Drafting's reactions to cases' domain events (connected in DraftingConfig.ready).

The events are sent after commit; the receivers only queue tasks with ids.
"""

from . import tasks


def on_case_created(sender, *, case_id: int, **kwargs) -> None:
    tasks.prepare_new_case.delay(case_id)


def on_reply_sent(sender, *, case_id: int, reply_id: int, **kwargs) -> None:
    # The decision first: it reads the draft as it was when the reply left.
    tasks.record_sent_reply.delay(case_id, reply_id)
    tasks.index_answered_case.delay(case_id)
