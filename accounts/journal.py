"""The vocabulary of the administration journal (``AuditEntry.action``), and the audited models.

Each app declares its journal actions as one ``TextChoices`` enumeration whose labels are the
French wording shown to administrators, and registers it with ``register_actions`` (as a class
decorator, imported from the app's ``AppConfig.ready()``). ``audit_record`` refuses an action
that is not registered, and ``tests/test_consistency.py`` fails on a label never written.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.utils.functional import Promise

_ACTIONS: dict[str, Promise | str] = {}
_ENUMS: list[type[models.TextChoices]] = []

E = TypeVar("E", bound=models.TextChoices)


def register_actions(enum: type[E]) -> type[E]:
    """Register an app's journal actions (a ``TextChoices`` of ``"category.verb"`` values)."""
    for value, label in enum.choices:
        existing = _ACTIONS.get(value)
        if existing is not None and existing != label:
            raise ValueError(f"Journal action {value!r} is registered twice with other labels.")
        _ACTIONS[value] = label
    if enum not in _ENUMS:
        _ENUMS.append(enum)
    return enum


def is_registered(action: str) -> bool:
    return action in _ACTIONS


def action_label(action: str) -> str:
    """The action's label in the active language; the raw value for an unknown one."""
    label = _ACTIONS.get(action)
    return str(label) if label is not None else action


def registered_actions() -> dict[str, Promise | str]:
    """Every registered action and its label."""
    return dict(_ACTIONS)


def registered_enums() -> list[type[models.TextChoices]]:
    return list(_ENUMS)


# --- audited models -----------------------------------------------------------------------------

_AUDITED: list[type[models.Model]] = []

M = TypeVar("M", bound=type[models.Model])


def audited(model: M) -> M:
    """Mark a model whose every write is journaled (class decorator): only services write it,
    and its Django admin is read-only or goes through them (``tests/test_consistency.py``)."""
    if model not in _AUDITED:
        _AUDITED.append(model)
    return model


def audited_models() -> list[type[models.Model]]:
    return list(_AUDITED)
