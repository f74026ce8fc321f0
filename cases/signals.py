"""Domain events of cases. Sent by cases/services.py after the transaction commits.

Receivers get ids, not objects: they run after commit and must read fresh rows.
"""

from django.dispatch import Signal

# case_id, administration_id
case_created = Signal()
# case_id, reply_id, actor_id
reply_sent = Signal()
# case_id, actor_id (the assignee opened the case for the first time)
case_opened = Signal()
