"""The development tools stay out of production: not installed there, imported by no product app."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from devtools.demo import KNOWLEDGE_DIR, QUESTIONS_FILE
from devtools.demo.samples import FIRST_NAMES, LAST_NAMES, SAMPLES

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("accounts", "cases", "drafting", "config")
DEV_COMMANDS = {
    "seed_demo",
    "bench_api",
    "bench_drafting",
    "bench_inbox",
    "bench_reports",
    "eval_drafts",
    "generate_bulk_data",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUICHET_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _commands(result: subprocess.CompletedProcess) -> set[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return {line.strip() for line in result.stdout.splitlines() if line.startswith("    ")}


def test_production_settings_do_not_install_devtools():
    production = _manage(
        "help",
        GUICHET_ENV="production",
        DJANGO_SECRET_KEY="x" * 50 + "-production-secret",
        # Production refuses to start without a real broker (nothing is asked of it here).
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert not _commands(production) & DEV_COMMANDS
    assert "[devtools]" not in production.stdout


def test_development_settings_install_devtools():
    assert _commands(_manage("help", GUICHET_ENV="development")) >= DEV_COMMANDS


def test_test_settings_install_devtools():
    from django.conf import settings

    assert "devtools" in settings.INSTALLED_APPS


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_product_app_imports_devtools():
    offenders = [
        str(path.relative_to(ROOT))
        for app in PRODUCT
        for path in sorted((ROOT / app).rglob("*.py"))
        if any(name.split(".")[0] == "devtools" for name in _imported_modules(path))
    ]
    assert offenders == []


def test_demo_data_files_load():
    assert len(SAMPLES) == 139
    assert len(FIRST_NAMES) == 60 and len(LAST_NAMES) == 80
    kinds = {"caf", "cpam", "ants", "dgfip", "france_travail", "france_services", "mairie"}
    channels = {"sp_plus", "sp_question", "france_services", "email", "phone", "web_form"}
    for sample in SAMPLES:
        assert set(sample["kinds"]) <= kinds, sample["subject"]
        assert sample["channel"] in channels, sample["subject"]
        assert sample["subject"] and sample["body"] and sample["reply"]
    assert len(list(KNOWLEDGE_DIR.iterdir())) == 40
    assert QUESTIONS_FILE.is_file()
