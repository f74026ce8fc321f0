"""The French catalog: complete, compiled, and used by the pages.

Msgids are passed to gettext through variables, never as literals, so that makemessages
does not list this file as a source of the catalog.

The .po file is read with a small parser of its own (no polib): entries are separated by blank
lines, strings may continue over several quoted lines, plurals have msgstr[0], msgstr[1]...
Obsolete entries (``#~``) are not part of the catalog and are ignored.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

PO_PATH = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# msgid -> the French that must come out of the compiled catalog.
KNOWN = {
    "Cases": "Dossiers",
    "Sign in": "Se connecter",
    "Proposed reply": "Proposition de réponse",
    "Use this reply": "Utiliser cette réponse",
    "Awaiting the usager": "En attente de l'usager",
    "Discard this draft": "Écarter ce brouillon",
}
PLURAL = (
    "%(counter)s earlier draft kept in the history.",
    "%(counter)s earlier drafts kept in the history.",
)
PLURAL_FR = "%(counter)s brouillons précédents conservés dans l'historique."

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert len(text) >= 2 and text[0] == '"' and text[-1] == '"', f"not a PO string: {text!r}"
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgstrs(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k.startswith("msgstr")}


def parse_po(text: str) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    key: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, key = None, None
            continue
        if line.startswith("#~"):  # obsolete entry: not in the catalog
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert key is not None, f"line {number}: continuation without a keyword"
            current.fields[key] += _unquote(line)
        else:
            key, _, rest = line.partition(" ")
            assert re.fullmatch(r"msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?", key), (
                f"line {number}: unexpected keyword {key!r}"
            )
            current.fields[key] = _unquote(rest)
    return [e for e in entries if "msgid" in e.fields]


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l fr"
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


def test_parser_reads_multiline_and_plural_entries():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Long "\n"text %(n)s"\nmsgstr "Texte"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] ""\n\n'
        '#~ msgid "old"\n#~ msgstr ""\n'
    )
    header, long, plural = parse_po(sample)
    assert header.msgstrs == {"msgstr": "Language: fr\n"}
    assert long.msgid == "Long text %(n)s" and long.flags == {"fuzzy", "python-format"}
    assert plural.fields["msgid_plural"] == "many"
    assert plural.msgstrs == {"msgstr[0]": "un", "msgstr[1]": ""}


def test_every_entry_is_translated_and_not_fuzzy(entries):
    assert len(entries) > 100, "the French catalog looks truncated"
    header = entries[0]
    assert header.msgid == "", "the catalog has no header"
    assert "Language: fr" in header.msgstrs["msgstr"]
    assert "nplurals=2" in header.msgstrs["msgstr"]
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"line {entry.line}: fuzzy: {entry.msgid!r}")
        if entry.msgid == "":
            continue
        if "msgid_plural" in entry.fields:
            expected = {"msgstr[0]", "msgstr[1]"}
            if set(entry.msgstrs) != expected:
                problems.append(f"line {entry.line}: plural forms {sorted(entry.msgstrs)}")
        empty = [k for k, v in entry.msgstrs.items() if not v.strip()]
        if not entry.msgstrs or empty:
            problems.append(f"line {entry.line}: untranslated: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}")


def test_placeholders_and_edge_newlines_are_kept(entries):
    problems = []
    for entry in entries[1:]:
        sources = [entry.msgid, entry.fields.get("msgid_plural", entry.msgid)]
        for key, text in entry.msgstrs.items():
            source = sources[1] if key == "msgstr[1]" else sources[0]
            if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(text)):
                problems.append(f"line {entry.line}: placeholders differ in {key}")
            if source.startswith("\n") != text.startswith("\n") or source.endswith(
                "\n"
            ) != text.endswith("\n"):
                problems.append(f"line {entry.line}: leading/trailing newline differs in {key}")
    assert not problems, "\n".join(problems)


def _catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def test_compiled_catalog_matches_the_po(tmp_path):
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages"
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO_PATH)], check=True)
    assert _catalog(fresh) == _catalog(MO_PATH), (
        "locale/fr/LC_MESSAGES/django.mo is older than django.po: run compilemessages"
    )


def test_gettext_returns_french():
    with translation.override("fr"):
        for msgid, french in KNOWN.items():
            assert translation.gettext(msgid) == french
        assert translation.ngettext(*PLURAL, 2) == PLURAL_FR
    with translation.override("en"):
        for msgid in KNOWN:
            assert translation.gettext(msgid) == msgid


@pytest.mark.django_db
def test_login_page_is_french_by_default_and_english_on_request():
    login = reverse("accounts:login")

    html = Client(HTTP_ACCEPT_LANGUAGE="fr").get(login).content.decode()
    assert "Se connecter" in html and "Mot de passe" in html
    assert "Sign in" not in html

    # No Accept-Language: LANGUAGE_CODE (French).
    html = Client().get("/", follow=True).content.decode()
    assert "Se connecter" in html

    # The language switch of the header: the cookie wins over the browser's French.
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(login).content.decode()
    assert "Sign in" in html and "Password" in html
    assert "Se connecter" not in html

    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(login).content.decode()
    assert "Sign in" in html


_GETTEXT_CALLS = {"gettext": 1, "ngettext": 2, "pgettext": 2, "npgettext": 3}


_STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_CALL_RE = re.compile(rf"\b(n?p?gettext)\(((?:\s*{_STRING}\s*,?)+)")


def _template_messages(path: Path) -> list[tuple[str, str | None, str | None]]:
    """(msgid, plural, context) of every string a template asks to translate, as Django looks
    them up: ``templatize`` turns ``{% blocktranslate %}`` variables into ``%(name)s``, as
    ``makemessages`` does."""
    import ast

    from django.utils.translation.template import templatize

    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found: list[tuple[str, str | None, str | None]] = []
    for call in _CALL_RE.finditer(source):
        name = call.group(1)
        strings = [ast.literal_eval(m.group(0)) for m in re.finditer(_STRING, call.group(2))]
        strings = strings[: _GETTEXT_CALLS[name]]
        if name == "gettext":
            found.append((strings[0], None, None))
        elif name == "ngettext":
            found.append((strings[0], strings[1], None))
        elif name == "pgettext":
            found.append((strings[1], None, strings[0]))
        else:
            found.append((strings[1], strings[2], strings[0]))
    return found


def test_every_template_string_is_in_the_catalog_as_django_looks_it_up(entries):
    """A msgid written by hand with ``{{ name }}`` where ``makemessages`` writes ``%(name)s``
    is never found: the page shows the English, or (for a plural whose singular has no
    variable) the French with ``{{ counter }}`` left in it."""
    catalog = {
        (e.fields.get("msgctxt"), e.msgid): e.fields.get("msgid_plural") for e in entries[1:]
    }
    root = Path(settings.BASE_DIR) / "templates"
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        for msgid, plural, context in _template_messages(path):
            if (context, msgid) not in catalog:
                problems.append(f"{path.relative_to(root)}: not in the catalog: {msgid!r}")
            elif plural is not None and catalog[(context, msgid)] != plural:
                problems.append(f"{path.relative_to(root)}: plural differs: {plural!r}")
    assert not problems, "\n".join(problems)


def test_no_entry_holds_template_syntax(entries):
    problems = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries[1:]
        if any("{{" in text or "{%" in text for text in (e.msgid, *e.msgstrs.values()))
    ]
    assert not problems, "\n".join(problems)


# gettext and its variants: (context, msgid, plural) argument positions.
_PY_CALLS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
# Django's own messages, translated by Django's catalog.
_DJANGO_MESSAGES = {"Enter a valid date."}


def _python_messages(path: Path) -> list[tuple[int, str, str | None, str | None]]:
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        if name not in _PY_CALLS:
            continue

        def literal(index: int | None, args: list = node.args) -> str | None:
            if index is None or index >= len(args):
                return None
            arg = args[index]
            return (
                arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            )

        context_at, msgid_at, plural_at = _PY_CALLS[name]
        msgid = literal(msgid_at)
        if msgid and (context_at is None or literal(context_at) is not None):
            found.append((node.lineno, msgid, literal(plural_at), literal(context_at)))
    return found


def test_every_python_string_is_in_the_catalog(entries):
    catalog = {
        (e.fields.get("msgctxt"), e.msgid): e.fields.get("msgid_plural") for e in entries[1:]
    }
    base = Path(settings.BASE_DIR)
    problems = []
    for path in sorted(base.rglob("*.py")):
        parts = set(path.relative_to(base).parts)
        if parts & {".venv", "tests", "migrations", "node_modules"}:
            continue
        for line, msgid, plural, context in _python_messages(path):
            if msgid in _DJANGO_MESSAGES:
                continue
            where = f"{path.relative_to(base)}:{line}"
            if (context, msgid) not in catalog:
                problems.append(f"{where}: not in the catalog: {msgid!r}")
            elif plural is not None and catalog[(context, msgid)] != plural:
                problems.append(f"{where}: plural differs: {plural!r}")
    assert not problems, "\n".join(problems)
