"""The deployment artefacts agree with each other and with the settings (issue 14 item 2).

There is no Docker engine in CI: the compose file is parsed and checked (services, commands,
health checks, volumes), its commands are the Procfile's, the image runs what both name, and
`.env.example` lists every setting config/settings.py reads. The same processes run for real,
without containers, in tests/deploy/test_processes.py.
"""

from __future__ import annotations

import ast
import gc
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES_OF_THE_APP = {"migrate", "web", "worker-drafting", "worker", "beat"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def _procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = shlex.split(command)
    return processes


def _reads_environment(func: ast.Attribute) -> bool:
    owner = func.value
    if isinstance(owner, ast.Name) and owner.id == "env":  # env.str("NAME"...)
        return True
    if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute):
        return owner.func.attr == "Env"  # environ.Env().str("NAME"...)
    if isinstance(owner, ast.Attribute) and owner.attr == "environ":
        return func.attr == "get"  # os.environ.get("NAME")
    return func.attr == "getenv"  # os.getenv("NAME")


def settings_read_from_environment(path: Path = ROOT / "config" / "settings.py") -> set[str]:
    """Every variable name config/settings.py (and the fragments it star-imports) reads:
    env.<cast>("NAME"...), environ.Env()..., os.environ.get / os.getenv / os.environ[...]."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        # The settings fragments it takes whole (``from config.doors import *``) or calls
        # (``from config.cache import caches_from_env``) are read too.
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("config."):
            fragment = ROOT / Path(*node.module.split(".")).with_suffix(".py")
            names |= settings_read_from_environment(fragment)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if _reads_environment(node.func) and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def _env_example() -> dict[str, str]:
    """NAME -> value for every line `NAME=value` or `# NAME=value` of .env.example."""
    entries = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            entries[match[1]] = match[2]
    return entries


def test_the_parser_finds_what_settings_read():
    names = settings_read_from_environment()
    # A sample of each way of reading: env.str, env.db, env.bool, environ.Env().str, env.cache.
    assert {
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "DJANGO_DEBUG",
        "GUICHET_VAR_DIR",
        "CACHE_URL",
        "EMAIL_URL",
        "SENTRY_DSN",
        "DATABASE_MIGRATE_URL",
        "CLAMAV_URL",  # config/doors.py
        "MAILBOX_POLL_SECONDS",  # config/mail.py
    } <= names
    assert len(names) > 60


def test_env_example_lists_every_setting():
    missing = sorted(settings_read_from_environment() - set(_env_example()))
    assert missing == [], f"add to .env.example: {', '.join(missing)}"


def _gunicorn_reads() -> set[str]:
    text = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    return set(re.findall(r'(?:_int\(|environ\.get\()"([A-Z][A-Z0-9_]*)"', text))


def test_every_setting_is_documented_in_the_operators_section():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    operators = readme[readme.index("## Operators") :]
    read = settings_read_from_environment() | _gunicorn_reads()
    assert {"GUNICORN_BIND", "GUNICORN_WORKERS", "FORWARDED_ALLOW_IPS"} <= read
    missing = sorted(name for name in read if not re.search(f"`{name}[`=]", operators))
    assert missing == [], f"document in README, Operators: {', '.join(missing)}"
    assert not sorted(_gunicorn_reads() - set(_env_example())), "add to .env.example"


def test_env_example_holds_no_secret():
    entries = _env_example()
    for name in (
        "DJANGO_SECRET_KEY",
        "POSTGRES_PASSWORD",
        "GUICHET_DB_OWNER_PASSWORD",
        "GUICHET_DB_APP_PASSWORD",
    ):
        assert entries[name] == "", name


def test_compose_has_every_process_with_health_checks_and_volumes():
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"db", "redis", "clamav"} | SERVICES_OF_THE_APP
    for name, service in services.items():
        if name != "migrate":
            assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
            assert service["restart"] == "unless-stopped"
    assert services["migrate"]["restart"] == "no"
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    for name in SERVICES_OF_THE_APP:
        service = services[name]
        assert "media:/app/var/media" in service["volumes"], name
        assert service["build"] == "."
        assert service["environment"]["GUICHET_ENV"] == "production"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        if name != "migrate":
            assert service["depends_on"]["migrate"]["condition"] == (
                "service_completed_successfully"
            )
    # The web is ready when /readyz says so (database and migrations; cache and broker degrade).
    assert services["web"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "deploy/probe.py",
        "/readyz",
    ]


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert match and duration, duration
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def test_compose_lets_processes_finish_their_work_before_killing_them():
    """``docker compose up -d`` (the upgrade runbook) stops each container with SIGTERM, then
    SIGKILL after ``stop_grace_period`` (10 s by default): too short for a worker's task or a
    request, which the README says finish."""
    services = _compose()["services"]
    task_limit = settings_default("CELERY_TASK_TIME_LIMIT")
    for name in ("worker", "worker-drafting"):
        assert _seconds(services[name].get("stop_grace_period", "10s")) > task_limit, name
    values: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), values)  # noqa: S102
    assert _seconds(services["web"].get("stop_grace_period", "10s")) > values["graceful_timeout"]


def settings_default(name: str) -> int:
    """The default config/settings.py gives ``name`` (``env.int("NAME", default=N)``)."""
    text = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    match = re.search(rf'env\.int\("{name}", default=(\d+)\)', text)
    assert match, name
    return int(match[1])


def test_compose_runs_the_application_with_two_database_roles():
    environment = _compose()["services"]["web"]["environment"]
    app_url, owner_url = environment["DATABASE_URL"], environment["DATABASE_MIGRATE_URL"]
    assert "GUICHET_DB_APP" in app_url and "GUICHET_DB_OWNER" not in app_url
    assert "GUICHET_DB_OWNER" in owner_url
    db = _compose()["services"]["db"]
    assert "./deploy/postgres/roles.sql:/guichet/roles.sql:ro" in db["volumes"]
    # roles.sql runs roles-admin.sql beside it (\ir) when a superuser runs it.
    assert "./deploy/postgres/roles-admin.sql:/guichet/roles-admin.sql:ro" in db["volumes"]
    initdb = (ROOT / "deploy" / "postgres" / "initdb.sh").read_text(encoding="utf-8")
    assert "/guichet/roles.sql" in initdb


def test_compose_and_procfile_run_the_same_commands():
    services = _compose()["services"]
    procfile = _procfile()
    assert set(procfile) == {"web", "worker", "drafting", "beat", "release"}
    assert services["web"]["command"] == procfile["web"]
    assert services["worker"]["command"] == procfile["worker"]
    assert services["worker-drafting"]["command"] == procfile["drafting"]
    assert services["migrate"]["command"] == procfile["release"]
    assert services["beat"]["command"] == procfile["beat"]


def test_workers_cover_every_queue_once():
    procfile = _procfile()
    queues = []
    for name in ("worker", "drafting"):
        command = procfile[name]
        queues += command[command.index("-Q") + 1].split(",")
    assert sorted(queues) == ["celery", "delivery", "drafting", "mail"]


def test_the_image_runs_gunicorn_as_a_non_root_user_with_static_files_collected():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM \S+ AS (\w+)", dockerfile, flags=re.M)
    assert stages == ["build", "run"]
    assert re.search(r"^USER guichet", dockerfile, flags=re.M)
    assert "collectstatic --noinput" in dockerfile
    assert "--require-hashes" in dockerfile and "requirements.lock" in dockerfile
    assert 'CMD ["gunicorn", "config.wsgi"]' in dockerfile
    assert (ROOT / "gunicorn.conf.py").is_file()
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def _build_stage_commands() -> list[tuple[dict[str, str], list[str]]]:
    """Each ``manage.py`` command the image's build stage runs, with its environment."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    build = dockerfile.split(" AS build", 1)[1].split(" AS run", 1)[0]
    commands = []
    for line in build.splitlines():
        if not line.startswith("RUN ") or "manage.py" not in line:
            continue
        for part in line[len("RUN ") :].split("&&"):
            words = shlex.split(part)
            env = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
            command = [word for word in words if not re.match(r"^[A-Z_]+=", word)]
            commands.append((env, command))
    return commands


def test_the_image_s_build_steps_run_with_the_environment_they_are_given(tmp_path):
    """The build stage runs compilemessages and collectstatic with production-like settings
    and no service at all; they once stopped at the settings' broker check (GUICHET_ENV=build
    is neither development nor test), so the image could not be built."""
    commands = _build_stage_commands()
    assert [command[2] for _env, command in commands] == ["compilemessages", "collectstatic"]
    for env, command in commands:
        assert command[:2] == ["/venv/bin/python", "manage.py"]
        env = {
            **env,
            "GUICHET_VAR_DIR": str(tmp_path / "var"),
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
        }
        args = [sys.executable, "manage.py", *command[2:]]
        if command[2] == "compilemessages":
            args.append("--help")  # settings loaded as for the real run; the tree left alone
        result = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "var" / "static" / "dsfr").is_dir()


def test_gunicorn_configuration(monkeypatch):
    for name in ("GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS", "PORT"):
        monkeypatch.delenv(name, raising=False)
    values: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), values)  # noqa: S102
    assert values["bind"] == "0.0.0.0:8000"
    assert values["workers"] >= 2 and values["threads"] >= 1
    assert values["timeout"] == 60 and values["graceful_timeout"] == 30
    # Forwarded headers from this host only unless the proxy's addresses are given.
    assert values["forwarded_allow_ips"] == "127.0.0.1,::1"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    monkeypatch.setenv("PORT", "9000")
    exec((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), values)  # noqa: S102
    assert values["forwarded_allow_ips"] == "10.0.0.0/8"
    assert values["bind"] == "0.0.0.0:9000"


def test_a_gunicorn_worker_freezes_what_it_loaded_out_of_the_collector_s_reach():
    values: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), values)  # noqa: S102
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        values["post_worker_init"](worker=None)
        # Django and the apps are loaded in this process, as in a worker after load_wsgi.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_the_warm_up_loads_what_the_first_request_would_before_freezing():
    """In a fresh process, as a worker after loading the application: the views (through the
    URLconf) and the catalogs are loaded, and frozen with the rest."""
    script = (
        "import sys, gc, django; django.setup();"
        "from config.warmup import freeze_loaded;"
        "assert 'cases.views' not in sys.modules;"
        "frozen = freeze_loaded();"
        "assert 'cases.views' in sys.modules and 'drafting.suggestions.views' in sys.modules;"
        "assert frozen == gc.get_freeze_count() > 100_000, frozen;"
        "print('ok')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "GUICHET_ENV": "test",
        "DJANGO_SECRET_KEY": "test-only-secret-key",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
