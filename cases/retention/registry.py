"""Every table that holds a usager's personal data, and how to export and erase it.

A *holder* names a model, the columns that hold the usager's data (``personal``, erased) and
the text columns it keeps with the reason (``kept``). ``export(case_ids)`` returns the rows
about those cases; ``erase(case_ids)`` removes the personal columns, in the caller's
transaction. A model without usager data is declared with the reason (``declare_no_personal``).
Each app registers its own tables (cases here, drafting from ``DraftingConfig.ready()``: cases
never imports drafting); ``tests/retention/test_personal_data_registry.py`` walks every model
and fails on one that is neither a holder nor declared, and on a text column of a holder that
is neither erased nor kept with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Holder:
    model: str  # "app_label.ModelName"
    personal: tuple[str, ...]
    export: Callable[[Sequence[int]], list[dict[str, Any]]]
    erase: Callable[[Sequence[int]], int]
    kept: dict[str, str] = field(default_factory=dict)  # column -> why it is not personal


HOLDERS: dict[str, Holder] = {}
NO_PERSONAL_DATA: dict[str, str] = {}


def register(holder: Holder) -> Holder:
    HOLDERS[holder.model] = holder
    return holder


def declare_no_personal(model: str, reason: str) -> None:
    NO_PERSONAL_DATA[model] = reason


def by_case(
    model: str,
    *,
    personal: tuple[str, ...],
    exported: tuple[str, ...],
    case_field: str = "case_id",
    kept: dict[str, str] | None = None,
    blank: dict[str, Any] | None = None,
) -> Holder:
    """A holder whose rows point at a case: export the ``exported`` columns of the rows of the
    cases, erase by setting the ``personal`` columns to their blank value."""
    values = blank or {}

    def _model() -> type[models.Model]:
        return apps.get_model(model)

    def export(case_ids: Sequence[int]) -> list[dict[str, Any]]:
        rows = _model()._default_manager.filter(**{f"{case_field}__in": case_ids})
        return list(rows.order_by("pk").values("pk", case_field, *exported))

    def erase(case_ids: Sequence[int]) -> int:
        rows = _model()._default_manager.filter(**{f"{case_field}__in": case_ids})
        return rows.update(**{name: values.get(name, "") for name in personal})

    return register(
        Holder(model=model, personal=personal, export=export, erase=erase, kept=kept or {})
    )
