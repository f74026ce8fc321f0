"""Every table is classified for usagers' personal data: a holder (exported, erased by
retention and erasure requests) or declared without such data, with the reason. A new model,
or a new text column of a holder, fails here until it is classified."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from cases.retention import registry

PROJECT_APPS = {"accounts", "cases", "drafting"}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def _project_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.auto_created
    ]


def test_every_model_is_classified():
    missing = [
        model._meta.label
        for model in _project_models()
        if model._meta.label not in registry.HOLDERS
        and model._meta.label not in registry.NO_PERSONAL_DATA
    ]
    assert not missing, (
        "Models not classified for usagers' personal data (register a holder in the app's "
        f"personal-data module, or declare_no_personal with the reason): {missing}"
    )


def test_every_text_column_of_a_holder_is_erased_or_kept_with_a_reason():
    for label, holder in registry.HOLDERS.items():
        model = apps.get_model(label)
        names = {field.name for field in model._meta.concrete_fields}
        for name in (*holder.personal, *holder.kept):
            assert name in names, f"{label}.{name} does not exist"
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS) and not field.choices:
                assert field.name in holder.personal or field.name in holder.kept, (
                    f"{label}.{field.name}: erase it (personal) or say why it is kept (kept)"
                )


def test_the_usager_columns_of_a_case_are_erased():
    assert {"subject", "body", "usager_name", "usager_email", "usager_phone"} <= set(
        registry.HOLDERS["cases.Case"].personal
    )
    assert registry.HOLDERS["drafting.Suggestion"].personal  # registered from drafting
