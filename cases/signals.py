"""Domain events of cases, sent by cases/services *inside* the transaction of the change.

Receivers get ids. They run in the change's transaction, so they may only write rows that
belong with the change: the follow-ups (``accounts.followups.registry.followup_add``) or a
domain row such as the reply's ``Delivery``. They never call a broker or a remote service:
that is the follow-up's task, queued after commit, retried by the sweepers
(docs/design.md, "Follow-ups"). A receiver that raises rolls the change back.
"""

from django.dispatch import Signal

# case_id, administration_id
case_created = Signal()
# case_id, reply_id, actor_id; given ("counter", "phone") when the answer was given orally
# and nothing is to be delivered (cases/counter/services.py)
reply_sent = Signal()
# case_id, reply_id (the reply reached the usager through its channel: inside the transaction
# that records the delivery)
reply_delivered = Signal()
# case_id, actor_id (the assignee opened the case for the first time; sent after commit)
case_opened = Signal()
