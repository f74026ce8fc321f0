"""Any figure's table as a download: CSV (UTF-8 with BOM) or XLSX, the same rows as on screen."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook

from .tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _plain(value: Any) -> Any:
    """A cell as a spreadsheet wants it: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    return str(value)


class ExportFormatError(ValueError):
    pass


def export_response(table: Table, fmt: str, *, filename: str | None = None) -> HttpResponse:
    """The table as a CSV (UTF-8 with BOM, so that spreadsheet software reads the accents)
    or an XLSX download. Raises ExportFormatError for another format."""
    name = slugify(filename or table.title) or table.id
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(c) for c in table.columns])
        for row in table.rows:
            writer.writerow([_plain(v) for v in row])
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(table.title)[:31] or "data")
        sheet.append([str(c) for c in table.columns])
        for row in table.rows:
            sheet.append([_plain(v) for v in row])
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise ExportFormatError(fmt)
