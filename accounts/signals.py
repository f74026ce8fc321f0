"""Domain events of accounts.

``membership_deactivated`` is sent *inside* the deactivating transaction, unlike the case
signals: its receivers (cases puts the member's open cases back in the queue) must succeed or
fail with the deactivation itself, so that no case stays assigned to someone who cannot work.
Receivers get ids: membership_id, administration_id, user_id, actor_id (None for tools).
"""

from django.dispatch import Signal

membership_deactivated = Signal()
