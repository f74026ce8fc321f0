"""The one writer of the administration journal (``AuditEntry``)."""

from __future__ import annotations

from typing import Any

from django.db import models

from ..journal import is_registered
from ..models import Administration, AuditEntry, User


def audit_record(
    *,
    administration: Administration,
    actor: User | None,
    category: str,
    action: models.TextChoices | str,
    target_label: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one line of the administration's journal, in the caller's transaction.

    ``action`` is a member of a registered vocabulary (``accounts.journal``), or its value: a
    free string that no app declared is refused, so every line written has its label.
    """
    value = str(action.value if isinstance(action, models.TextChoices) else action)
    if not is_registered(value):
        raise ValueError(
            f"Journal action {value!r} is not declared: add it to the app's audit_actions.py."
        )
    return AuditEntry.objects.create(
        administration=administration,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None and actor.pk else "",
        category=category,
        action=value,
        target_label=target_label[:300],
        data=data or {},
    )
