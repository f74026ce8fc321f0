"""The conventions that matter, checked by tests rather than by memory (les-emplois'
``test_consistency.py``): one journal vocabulary, one write path.

(a) every journal action registered (``accounts.journal``) has its label, and every case event
    kind too;
(b) every registered action is written somewhere in the product;
(c) journal rows (``AuditEntry``, ``CaseEvent``) are written only by the journal services;
(d) the Django admin of an audited model is read-only, or goes through the services.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.utils.functional import Promise

from accounts import journal
from accounts.audit import action_label
from tests.factories import UserFactory

ROOT = Path(settings.BASE_DIR).resolve()

# Journal tables, and the modules allowed to write them: the journal services of their app
# (a module named ``journal.py`` inside the app, e.g. ``accounts/services/journal.py``).
JOURNAL_MODELS = {"AuditEntry": "accounts", "CaseEvent": "cases"}
# Models every write of which is journaled, besides those marked with ``journal.audited``.
AUDITED = {
    "accounts.AuditEntry",
    "accounts.Membership",
    "accounts.Enrolment",
    "accounts.ApiToken",
    "cases.CaseEvent",
}


@cache
def product_files() -> tuple[Path, ...]:
    """The product's Python modules: our apps and config, without migrations and tests."""
    roots = {ROOT / "config"}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            roots.add(path)
    files = []
    for root in sorted(roots):
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(ROOT).parts
            if "migrations" in relative or "tests" in relative or relative[0] == "tests":
                continue
            files.append(path)
    return tuple(files)


@cache
def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- (a) every action has its label -------------------------------------------------------------


def test_every_registered_action_has_a_translated_label():
    enums = journal.registered_enums()
    assert enums, "no journal vocabulary registered (AppConfig.ready() imports audit_actions)"
    unlabelled = [
        f"{enum.__name__}.{member.name}"
        for enum in enums
        for member in enum
        if not isinstance(dict(enum.choices)[member.value], Promise)
    ]
    assert not unlabelled, f"Label these with gettext_lazy: {unlabelled}"


def test_every_registered_action_reads_as_its_label():
    for value, label in journal.registered_actions().items():
        assert action_label(value) == str(label) != value


def test_every_case_event_kind_has_a_translated_label():
    CaseEvent = apps.get_model("cases", "CaseEvent")
    labels = dict(CaseEvent.Kind.choices)
    unlabelled = [
        member.name
        for member in CaseEvent.Kind
        if not isinstance(labels[member.value], Promise) or not str(labels[member.value])
    ]
    assert not unlabelled, unlabelled


# --- (b) every registered action is written -----------------------------------------------------


def test_every_registered_action_is_written_by_the_product():
    unwritten = []
    for enum in journal.registered_enums():
        declaration = Path(inspect.getsourcefile(enum)).resolve()
        users = [
            source(path)
            for path in product_files()
            if path != declaration and re.search(rf"\b{enum.__name__}\b", source(path))
        ]
        for member in enum:
            if not any(re.search(rf"\.{member.name}\b", text) for text in users):
                unwritten.append(f"{enum.__name__}.{member.name} ({member.value})")
    assert not unwritten, f"Declared but never written: {unwritten}"


# --- (c) one writer of the journals -------------------------------------------------------------

_WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "delete"}


def _journal_writes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        # CaseEvent(...): a row built by hand (saved or bulk-created later).
        if isinstance(func, ast.Name) and func.id in JOURNAL_MODELS:
            found.append((node.lineno, f"{func.id}(...)"))
        # CaseEvent.objects.create(...), AuditEntry.objects.bulk_create(...)
        if (
            isinstance(func, ast.Attribute)
            and func.attr in _WRITES
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id in JOURNAL_MODELS
        ):
            found.append((node.lineno, f"{func.value.value.id}.objects.{func.attr}(...)"))
    return found


def _is_journal_service(path: Path, model: str) -> bool:
    relative = path.relative_to(ROOT).parts
    return relative[0] == JOURNAL_MODELS[model] and path.name == "journal.py"


def test_journal_rows_are_written_only_by_the_journal_services():
    offenders = []
    for path in product_files():
        text = source(path)
        if not any(model in text for model in JOURNAL_MODELS):
            continue
        for line, call in _journal_writes(ast.parse(text, filename=str(path))):
            model = call.split("(")[0].split(".")[0]
            if not _is_journal_service(path, model):
                offenders.append(f"{_relative(path)}:{line}: {call}")
    assert not offenders, "Write journal rows through the journal services:\n" + "\n".join(
        offenders
    )


def test_the_journal_scan_sees_a_write():
    tree = ast.parse(
        "CaseEvent.objects.create(case=c)\nAuditEntry.objects.bulk_create([AuditEntry()])"
    )
    assert sorted(call for _line, call in _journal_writes(tree)) == [
        "AuditEntry(...)",
        "AuditEntry.objects.bulk_create(...)",
        "CaseEvent.objects.create(...)",
    ]


# --- (d) the Django admin writes audited models through the services --------------------------


def audited_models() -> set[type]:
    models = set(journal.audited_models())
    models.update(apps.get_model(label) for label in AUDITED)
    return models


def _overrides(admin_class: type, method: str, base: type) -> bool:
    return getattr(admin_class, method) is not getattr(base, method)


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    return request


def _model_admin_problem(model_admin, request) -> str | None:
    """None when the admin complies: read-only for a superuser, or writing through services."""
    can = {
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request),
        "delete": model_admin.has_delete_permission(request),
    }
    if not any(can.values()):
        return None
    klass = type(model_admin)
    if not getattr(model_admin, "writes_through_services", False):
        allowed = ", ".join(k for k, v in can.items() if v)
        return f"may {allowed} directly (make it read-only or set writes_through_services)"
    missing = [
        m for m in ("save_model", "delete_model") if not _overrides(klass, m, admin.ModelAdmin)
    ]
    if can["delete"] and not _overrides(klass, "delete_queryset", admin.ModelAdmin):
        missing.append("delete_queryset")
    return f"writes_through_services without overriding {missing}" if missing else None


def _inline_problem(parent, inline, request) -> str | None:
    can = [
        inline.has_add_permission(request, None),
        inline.has_change_permission(request),
        inline.has_delete_permission(request),
    ]
    if not any(can):
        return None
    if getattr(parent, "writes_through_services", False) and _overrides(
        type(parent), "save_formset", admin.ModelAdmin
    ):
        return None
    return "inline edits directly (read-only, or the parent's save_formset calls the services)"


def test_the_admin_of_every_audited_model_is_read_only_or_goes_through_services(
    superuser_request,
):
    audited = audited_models()
    problems = []
    for model, model_admin in admin.site._registry.items():
        if model in audited:
            problem = _model_admin_problem(model_admin, superuser_request)
            if problem:
                problems.append(
                    f"{type(model_admin).__qualname__} ({model._meta.label}): {problem}"
                )
        for inline in model_admin.get_inline_instances(superuser_request):
            if inline.model in audited:
                problem = _inline_problem(model_admin, inline, superuser_request)
                if problem:
                    problems.append(
                        f"{type(inline).__qualname__} in {type(model_admin).__qualname__} "
                        f"({inline.model._meta.label}): {problem}"
                    )
    assert not problems, "\n".join(problems)


def test_accounts_marks_its_audited_models():
    labels = {model._meta.label for model in journal.audited_models()}
    assert {
        "accounts.AuditEntry",
        "accounts.Membership",
        "accounts.Enrolment",
        "accounts.ApiToken",
        "accounts.ConsentText",
    } <= labels


# --- (e) the journal reads in French, with English available ---------------------------------

# Labels that are the same word in both languages.
SAME_IN_BOTH = {"SIRET", "signature", "message", "version", "Usagers", "Agents", "Cookies"}


def _english_and_french(label) -> tuple[str, str]:
    from django.utils import translation

    with translation.override("en"):
        english = str(label)
    with translation.override("fr"):
        french = str(label)
    return english, french


def test_every_action_the_code_can_write_reads_in_french_and_english():
    """Every action is a member of a registered vocabulary (``audit_record`` refuses anything
    else), so walking the registry walks every action the code can write; each reads in French
    (the .po has it) and in English (its msgid)."""
    untranslated = []
    for value, label in journal.registered_actions().items():
        english, french = _english_and_french(label)
        if english == french and english not in SAME_IN_BOTH:
            untranslated.append(f"{value}: {english}")
        assert english and english != value
    assert not untranslated, f"Translate these journal actions in French: {untranslated}"


def _audit_record_data_keys() -> dict[str, set[str]]:
    """The keys of ``data`` written by every ``audit_record(...)`` call of the product (dict
    literals in the call, and the literals of the ``before``/``after`` helpers it names)."""
    keys: dict[str, set[str]] = {}
    for path in product_files():
        text = source(path)
        if "audit_record" not in text and "_period_data" not in text:
            continue
        tree = ast.parse(text, filename=str(path))
        for node in ast.walk(tree):
            targets: list[ast.AST] = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record":
                targets = [kw.value for kw in node.keywords if kw.arg == "data"]
            elif isinstance(node, ast.FunctionDef) and node.name in (
                "_period_data",
                "_endpoint_state",
            ):
                targets = [node]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_enrolment_audit":
                keys.setdefault(_relative(path), set()).update(
                    kw.arg for kw in node.keywords if kw.arg
                )
            for target in targets:
                for inner in ast.walk(target):
                    if isinstance(inner, ast.Dict):
                        keys.setdefault(_relative(path), set()).update(
                            k.value
                            for k in inner.keys
                            if isinstance(k, ast.Constant) and isinstance(k.value, str)
                        )
    return keys


def test_every_detail_key_the_code_writes_has_words():
    from accounts.audit.words import FIELD_LABELS

    found = _audit_record_data_keys()
    assert sum(len(v) for v in found.values()) > 30, "the scan found too few keys"
    missing = sorted(
        f"{path}: {key}" for path, keys in found.items() for key in keys if key not in FIELD_LABELS
    )
    assert not missing, (
        f"Give these journal detail keys a label (accounts/audit/words.py): {missing}"
    )
    untranslated = [
        key
        for key, label in FIELD_LABELS.items()
        if (lambda pair: pair[0] == pair[1] and pair[0] not in SAME_IN_BOTH)(
            _english_and_french(label)
        )
    ]
    assert not untranslated, f"Translate these detail labels: {untranslated}"


def test_no_detail_reads_as_raw_keys_or_json():
    from django.utils import translation

    from accounts.audit import details_text

    samples = [
        {"before": {"period": 3, "assisted_share": "0.5", "unit": "case"}, "after": None},
        {"scope": "read", "prefix": "abc123"},
        {"channel": "email", "before": None, "after": {"callback_url": "https://x.example"}},
        {"files": ["a.md"], "created": 2, "updated": 0, "unchanged": 1, "skipped": 0},
    ]
    with translation.override("fr"):
        for data in samples:
            text = details_text(data)
            for raw in ("scope", "before", "after", "{", "assisted_share", "callback_url"):
                assert raw not in text, (raw, text)
        assert "part des dossiers avec brouillon : 50" in details_text(samples[0])
        assert "portée : Lecture seule" in details_text(samples[1])
