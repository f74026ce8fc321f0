"""What the dashboards share: tables that render as HTML, CSV and XLSX, and chart specs.

A figure is computed once (by a selector) into a ``Table``; the page shows it as a chart and
as a table, and the export of the same table, with the same filters, is a CSV or XLSX file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import formats
from django.utils.text import slugify

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    # Optional drill-down links, same shape as ``rows`` (None where a cell has no link).
    links: list[list[str | None]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def column(self, index: int) -> list[Any]:
        """One column's values, for a chart series."""
        return [row[index] for row in self.rows]

    @property
    def display_rows(self) -> list[list[dict[str, Any]]]:
        out = []
        for r, row in enumerate(self.rows):
            links = self.links[r] if self.links and r < len(self.links) else []
            out.append(
                [
                    {"text": _display(value), "url": links[c] if c < len(links) else None}
                    for c, value in enumerate(row)
                ]
            )
        return out


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | Decimal):
        return formats.number_format(value, decimal_pos=1, use_l10n=True)
    if isinstance(value, datetime | date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


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


def chart(
    *,
    id: str,
    title: str,
    type: str,
    labels: list[Any],
    datasets: list[dict[str, Any]],
    unit: str = "",
    horizontal: bool = False,
    stacked: bool = False,
) -> dict[str, Any]:
    """A chart spec for templates/components/chart.html (drawn by static/js/charts.js)."""
    return {
        "id": id,
        "data_id": f"{id}-data",
        "title": str(title),
        "type": type,
        "labels": [str(label) for label in labels],
        "datasets": [
            {**d, "label": str(d["label"]), "data": [_number(v) for v in d["data"]]}
            for d in datasets
        ],
        "unit": str(unit),
        "horizontal": horizontal,
        "stacked": stacked,
    }


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


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
        from openpyxl import Workbook

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
