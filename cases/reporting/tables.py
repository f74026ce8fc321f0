"""A report's tables and chart specs: what a figure renders into.

A figure (``cases.reporting.figures``) is computed once into a ``Table``; the page shows it as a
chart (a spec made by ``chart``) and as a table, the export of the same table is a CSV or XLSX
file (``cases.reporting.exports``) and the API gives its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.functional import Promise

from accounts.spreadsheets import DECIMALS, rounded


@dataclass
class Table:
    id: str
    title: str | Promise
    columns: list[str | Promise]
    rows: list[list[Any]]
    # Optional drill-down links, same shape as ``rows`` (None where a cell has no link).
    links: list[list[str | None]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Places after the decimal comma of its non-whole numbers, on screen and in the exports.
    decimals: int = DECIMALS

    def column(self, index: int) -> list[Any]:
        """One column's values, for a chart series."""
        return [row[index] for row in self.rows]

    def as_json(self) -> dict[str, Any]:
        """The table as the API gives it: plain text headers, dates as ISO 8601."""
        return {
            "title": str(self.title),
            "columns": [str(c) for c in self.columns],
            "rows": [
                [v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in self.rows
            ],
        }

    @property
    def display_rows(self) -> list[list[dict[str, Any]]]:
        out = []
        for r, row in enumerate(self.rows):
            links = self.links[r] if self.links and r < len(self.links) else []
            out.append(
                [
                    {
                        "text": display(value, self.decimals),
                        "url": links[c] if c < len(links) else None,
                    }
                    for c, value in enumerate(row)
                ]
            )
        return out


def display(value: Any, decimals: int = DECIMALS) -> str:
    """A cell on screen: numbers rounded half up (never truncated: 3.6 − 3.1 is "0,5", 66.67
    is "66,7") in the active language's format, dates short."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | Decimal):
        return number(value, decimals)
    if isinstance(value, datetime | date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def number(value: float | Decimal | int, decimals: int = DECIMALS) -> str:
    """A number on a page: rounded half up, then formatted for the active language (decimal
    comma and narrow grouping in French)."""
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return formats.number_format(
        rounded(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def chart(
    *,
    id: str,
    title: str | Promise,
    type: str,
    labels: list[Any],
    datasets: list[dict[str, Any]],
    unit: str | Promise = "",
    horizontal: bool = False,
    stacked: bool = False,
    empty: str | Promise = "",
    note: str | Promise = "",
) -> dict[str, Any]:
    """A chart spec for templates/components/chart.html (drawn by static/js/charts.js).

    ``empty``: what the page says when there is nothing to draw, when the general sentence
    ("no case or draft matches") would be wrong (no draft discarded among many shown)."""
    points = [_number(v) for d in datasets for v in d["data"]]
    return {
        "id": id,
        "data_id": f"{id}-data",
        # Nothing to draw (no row, or only empty values): the page says so instead of an
        # empty frame.
        "has_data": any(v not in (None, 0) for v in points),
        "title": str(title),
        "type": type,
        # Labels read as in the data table below the chart (dates in the language's format).
        "labels": [display(label) if isinstance(label, date) else str(label) for label in labels],
        "datasets": [
            {**d, "label": str(d["label"]), "data": [_number(v) for v in d["data"]]}
            for d in datasets
        ],
        "unit": str(unit),
        "horizontal": horizontal,
        "stacked": stacked,
        "empty": str(empty),
        "note": str(note),
    }


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, float | Decimal):
        return float(rounded(value))
    return value
