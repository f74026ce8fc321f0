"""The answer bank's reactions to cases' domain events, and its journal vocabulary.

Imported from ``DraftingConfig.ready()``: importing it registers the journal actions and
connects the receivers (events are sent after commit; receivers only queue tasks with ids).
"""

from cases import signals

from . import audit_actions, tasks

__all__ = ["audit_actions", "on_reply_sent"]


def on_reply_sent(sender, *, case_id: int, reply_id: int, **kwargs) -> None:
    tasks.learn_from_reply.delay(reply_id)


signals.reply_sent.connect(on_reply_sent, dispatch_uid="drafting.answers.reply_sent")
