"""Bulk import of members from a CSV file: parse and check every row, then all or nothing.

The file has a header row naming its columns (English or French names, any order):
e-mail, first name, last name, role, team. Commas or semicolons (as spreadsheet software
writes in French) are both accepted, in UTF-8 (with or without BOM) or Windows-1252.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .models import Administration, Membership, Role

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024

_COLUMNS = {
    "email": {"email", "e-mail", "mail", "courriel", "adresse e-mail", "adresse email"},
    "first_name": {"first_name", "first name", "firstname", "prenom"},
    "last_name": {"last_name", "last name", "lastname", "nom", "nom de famille"},
    "role": {"role"},
    "team": {"team", "equipe", "service"},
}
_ROLES = {
    "agent": Role.AGENT,
    "agente": Role.AGENT,
    "manager": Role.MANAGER,
    "responsable": Role.MANAGER,
    "encadrant": Role.MANAGER,
    "encadrante": Role.MANAGER,
    "administrator": Role.ADMINISTRATOR,
    "administrateur": Role.ADMINISTRATOR,
    "administratrice": Role.ADMINISTRATOR,
}


def _fold(value: str) -> str:
    """Lowercase without accents, for matching header and role names."""
    decomposed = unicodedata.normalize("NFKD", value.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class ImportRow:
    line: int
    email: str
    first_name: str
    last_name: str
    role: str
    team: str
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def role_label(self) -> str:
        """The role in words ("Responsable"), or the text typed when it is not a role."""
        return str(dict(Role.choices).get(self.role, self.role))


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    # Errors about the file itself (encoding, header): nothing can be imported.
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not text in UTF-8 or Windows-1252."), code="encoding")


_BINARY_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The required columns as the page names them (the keys are internal).
_COLUMN_LABELS = {
    "email": pgettext_lazy("CSV column", "e-mail"),
    "role": pgettext_lazy("CSV column", "role"),
}


def parse(text: str, *, administration: Administration) -> ImportPreview:
    """Read and check every row; writes nothing."""
    if "\x00" in text or _BINARY_RE.search(text[:4096]):
        # Control characters other than tabs and line breaks: an image, a spreadsheet, a PDF.
        return ImportPreview([], [_("The file is not a CSV text file.")])
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return ImportPreview([], [_("The file is empty.")])
    except csv.Error as exc:
        return ImportPreview([], [_("Line 1: unreadable CSV (%(error)s).") % {"error": exc}])
    positions: dict[str, int] = {}
    unknown = []
    for index, name in enumerate(header):
        folded = _fold(name)
        for key, names in _COLUMNS.items():
            if folded in names and key not in positions:
                positions[key] = index
                break
        else:
            if folded:
                unknown.append(name.strip())
    missing = [key for key in ("email", "role") if key not in positions]
    if missing:
        return ImportPreview(
            [],
            [
                _(
                    "Line 1 must name the columns; missing: %(missing)s "
                    "(expected: e-mail, first name, last name, role, team)."
                )
                % {"missing": ", ".join(str(_COLUMN_LABELS[key]) for key in missing)}
            ],
        )
    active_emails = set(
        Membership.objects.filter(administration=administration, is_active=True).values_list(
            "user__email", flat=True
        )
    )
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                return ImportPreview(
                    rows, [_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}]
                )

            def cell(key: str, record: list[str] = record) -> str:
                index = positions.get(key)
                return record[index].strip() if index is not None and index < len(record) else ""

            row = ImportRow(
                line=line,
                email=cell("email").lower(),
                first_name=cell("first_name")[:150],
                last_name=cell("last_name")[:150],
                role=cell("role"),
                team=cell("team")[:100],
            )
            try:
                validate_email(row.email)
            except ValidationError:
                row.errors.append(
                    _("“%(value)s” is not a valid e-mail address.") % {"value": cell("email")}
                    if row.email
                    else _("The e-mail address is missing.")
                )
            role = _ROLES.get(_fold(row.role))
            if role is None:
                row.errors.append(
                    _("Unknown role “%(value)s” (agent, manager or administrator).")
                    % {"value": row.role}
                )
            else:
                row.role = role.value
            if row.email in seen:
                row.errors.append(_("Duplicate of line %(line)s.") % {"line": seen[row.email]})
            elif row.email:
                seen[row.email] = line
            if row.email and row.email in active_emails:
                row.errors.append(_("Already a member of this administration."))
            rows.append(row)
    except csv.Error as exc:
        return ImportPreview(
            rows,
            [
                _("Line %(line)s: unreadable CSV (%(error)s).")
                % {"line": reader.line_num, "error": exc}
            ],
        )
    if not rows:
        return ImportPreview([], [_("The file has no member row under its header.")])
    return ImportPreview(rows)
