"""Any figure's table as a download, the same rows as on screen: CSV for French spreadsheet
software or XLSX, through the one export helper (``accounts.spreadsheets``: ``;`` separator,
byte order mark, decimal comma, rounded values, formula-looking cells neutralised)."""

from __future__ import annotations

from django.http import HttpResponse

from accounts.spreadsheets import (
    FORMATS,
    XLSX_TYPE,
    ExportFormatError,
    csv_cell,
    csv_text,
    download,
    french_number,
    neutralise,
    rounded,
    xlsx_bytes,
)

from .tables import Table

__all__ = [
    "FORMATS",
    "XLSX_TYPE",
    "ExportFormatError",
    "csv_cell",
    "csv_text",
    "export_response",
    "french_number",
    "neutralise",
    "rounded",
    "xlsx_bytes",
]


def export_response(table: Table, fmt: str, *, filename: str | None = None) -> HttpResponse:
    """The table as a CSV or XLSX download. Raises ExportFormatError for another format."""
    return download(
        name=filename or str(table.title) or table.id,
        title=str(table.title),
        header=[str(c) for c in table.columns],
        rows=table.rows,
        fmt=fmt,
        decimals=table.decimals,
    )
