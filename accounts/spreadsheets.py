"""The one way Guichet writes a table for spreadsheet software: every CSV and XLSX download
(dashboard, impact report, journal, members) goes through here.

It lives in ``accounts`` because the journal and members exports are in this app, which imports
no other; ``cases.reporting.exports`` builds the reports' downloads on it.

- **French Excel opens it right**: CSV separated by ``;`` with a UTF-8 byte order mark, numbers
  with a decimal comma, rounded half up (never truncated) to the places shown on screen, dates
  as ``dd/mm/yyyy`` (and ``hh:mm:ss``). XLSX keeps numbers and dates typed, rounded the same way.
- **A cell cannot attack its reader**: a text starting like a formula (``=``, ``+``, ``-``,
  ``@``, tab, carriage return) is neutralised: prefixed with ``'`` in CSV (OWASP's advice; the
  reader sees the text, the spreadsheet evaluates nothing), written as a text cell with Excel's
  own "quote prefix" in XLSX (the value is kept exactly, and never a formula). Numbers Guichet
  itself computed are not text, so a negative difference stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
CSV_DELIMITER = ";"
BOM = "\ufeff"
# Places after the decimal comma, as on the pages.
DECIMALS = 1
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# CSV lines sent per piece while streaming.
LINES_PER_CHUNK = 500


class ExportFormatError(ValueError):
    """A download format other than CSV or XLSX was asked for."""


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would evaluate, made inert (CSV)."""
    return "'" + text if looks_like_formula(text) else text


def rounded(value: float | Decimal | int, decimals: int = DECIMALS) -> Decimal:
    """Rounded half up to ``decimals`` places, from the shortest decimal form of a float (so
    3.6 − 3.1 = 0.5000000000000004 is 0.5, and 66.666… is 66.7: never truncated)."""
    try:
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # inf, nan
        return Decimal(value)


def french_number(value: float | Decimal | int, decimals: int = DECIMALS) -> str:
    """A number as French spreadsheet software reads it: decimal comma, no grouping."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    number = rounded(value, decimals)
    if number == 0:
        number = abs(number)  # no "-0,0"
    return f"{number:f}".replace(".", ",")


def csv_cell(value: Any, decimals: int = DECIMALS) -> str:
    """One CSV cell in French conventions, neutralised when it is text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float | Decimal):
        return french_number(value, decimals)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def xlsx_value(value: Any, decimals: int = DECIMALS) -> Any:
    """One XLSX value: numbers rounded (typed), dates typed, the rest text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = rounded(value, decimals)
        return int(number) if decimals == 0 else float(number)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return str(value)


def csv_chunks(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, decimals: int = DECIMALS
) -> Iterator[str]:
    """The CSV text in pieces (byte order mark and header first), for streaming or joining."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    buffer.write(BOM)
    writer.writerow([csv_cell(str(c) if isinstance(c, Promise) else c) for c in header])
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(v, decimals) for v in row])
        if n % LINES_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], **kwargs: Any) -> str:
    return "".join(csv_chunks(header, rows, **kwargs))


def xlsx_bytes(
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    decimals: int = DECIMALS,
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))

    def cells(values: Iterable[Any]) -> list[Any]:
        out: list[Any] = []
        for raw in values:
            value = xlsx_value(raw, decimals)
            if isinstance(value, str):
                # Always a text cell (openpyxl would write "=…" as a formula); Excel's quote
                # prefix keeps "=…", "+…" and "-…" text when the cell is edited.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                if looks_like_formula(value):
                    cell.quotePrefix = True
                out.append(cell)
            else:
                out.append(value)
        return out

    sheet.append(cells(str(c) for c in header))
    for row in rows:
        sheet.append(cells(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name, and more than 31 of them.
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in str(title)).strip()
    return cleaned[:31] or "data"


def _attachment(response: HttpResponse | StreamingHttpResponse, name: str, ext: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "export"}.{ext}"'


def download(
    *,
    name: str,
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    decimals: int = DECIMALS,
) -> HttpResponse:
    """A table as a CSV or XLSX download. Raises ExportFormatError for another format."""
    if fmt == "csv":
        response = HttpResponse(csv_text(header, rows, decimals=decimals), content_type=CSV_TYPE)
        _attachment(response, name, "csv")
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(title, header, rows, decimals=decimals), content_type=XLSX_TYPE
        )
        _attachment(response, name, "xlsx")
        return response
    raise ExportFormatError(fmt)


def streaming_csv(
    *, name: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], decimals: int = DECIMALS
) -> StreamingHttpResponse:
    """A long table (the journal: hundreds of thousands of rows) as a streamed CSV download.
    ``rows`` is consumed after the view returns: build it lazily."""
    response = StreamingHttpResponse(
        csv_chunks(header, rows, decimals=decimals), content_type=CSV_TYPE
    )
    _attachment(response, name, "csv")
    return response
