"""One recipe for a report figure: declared once, read by the page, the exports and the API.

A ``Figure`` says what a figure is: its id (the export parameter and the API key), its title,
its table's columns, the query that gives its rows, an optional chart, and the field of the API
answer that carries it. A ``Report`` is the ordered registry of a report's figures: the page
lays out ``report.charts(...)`` and ``report.tables(...)``, an export is
``report[figure_id].table(...)`` as CSV or XLSX, and the API reads the same registry. Adding a
figure to a report is one ``Figure(...)`` entry in its registry.

A figure's query takes whatever its report computes from: the dashboard's queries take the
scope and the period and run their own aggregate; the impact report's take the report computed
once (one scan per kind of fact) and only lay out their part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from .tables import Table, chart

Text = str | Promise


@dataclass
class Rows:
    """What a figure's query returns: the rows of its table, with optional drill-down links
    (same shape as ``values``, None where a cell has no link) and extra facts for the page."""

    values: list[list[Any]]
    links: list[list[str | None]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Series:
    """One dataset of a chart: a label and the table column it plots."""

    label: Text
    column: int


@dataclass(frozen=True)
class Chart:
    """How a figure's table is drawn (templates/components/chart.html, static/js/charts.js).

    The labels are the table's ``labels`` column (the first by default); each ``Series`` plots
    one column. ``id`` defaults to ``chart-<figure id>``, ``title`` to the table's title.
    """

    type: str  # "bar" or "line"
    series: Sequence[Series]
    unit: Text = ""
    horizontal: bool = False
    stacked: bool = False
    id: str = ""
    title: Text | None = None
    labels: int = 0
    # What the page says when there is nothing to draw (see ``tables.chart``).
    empty: Text = ""
    # A line under the chart, for what a reader could misread in it.
    note: Text = ""

    def spec(self, figure_id: str, table: Table) -> dict[str, Any]:
        return chart(
            id=self.id or f"chart-{figure_id}",
            title=self.title if self.title is not None else table.title,
            type=self.type,
            labels=table.column(self.labels),
            datasets=[{"label": s.label, "data": table.column(s.column)} for s in self.series],
            unit=self.unit,
            horizontal=self.horizontal,
            stacked=self.stacked,
            empty=self.empty,
            note=self.note,
        )


@dataclass(frozen=True)
class Figure:
    """A report figure: query → table → chart → export → API field.

    ``query(*source)`` returns the rows (a ``Rows``, or a plain list of rows) of the table whose
    ``columns`` are declared here. ``api_field`` names where the API answer carries the figure
    (its id when empty); ``group`` places it on a page laid out in sections.
    """

    id: str
    title: Text
    columns: Sequence[Text]
    query: Callable[..., Rows | list[list[Any]]]
    chart: Chart | None = None
    api_field: str = ""
    group: str = ""

    @property
    def api_name(self) -> str:
        return self.api_field or self.id

    def table(self, *source: Any) -> Table:
        rows = self.query(*source)
        if not isinstance(rows, Rows):
            rows = Rows(values=rows)
        return Table(
            id=self.id,
            title=self.title,
            columns=list(self.columns),
            rows=rows.values,
            links=rows.links,
            meta=rows.meta,
        )

    def chart_spec(self, table: Table) -> dict[str, Any] | None:
        return self.chart.spec(self.id, table) if self.chart else None


class Report:
    """The ordered registry of one report's figures (the order of the page)."""

    def __init__(self, name: str, figures: Iterable[Figure]):
        self.name = name
        self.figures: dict[str, Figure] = {}
        for figure in figures:
            if figure.id in self.figures:
                raise ValueError(f"{name}: two figures are called {figure.id!r}")
            self.figures[figure.id] = figure

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures.values())

    def __contains__(self, figure_id: object) -> bool:
        return figure_id in self.figures

    def __getitem__(self, figure_id: str) -> Figure:
        return self.figures[figure_id]

    def get(self, figure_id: str | None) -> Figure | None:
        return self.figures.get(figure_id or "")

    @property
    def ids(self) -> list[str]:
        return list(self.figures)

    def tables(self, *source: Any) -> dict[str, Table]:
        """Every figure's table, by id, in the order of the page."""
        return {figure.id: figure.table(*source) for figure in self}

    def charts(self, tables: dict[str, Table]) -> list[tuple[dict[str, Any], Table]]:
        """(chart spec, table) of each figure that has a chart, in the order of the page."""
        return [
            (figure.chart.spec(figure.id, tables[figure.id]), tables[figure.id])
            for figure in self
            if figure.chart is not None
        ]

    def groups(self, tables: dict[str, Table]) -> dict[str, list[tuple[dict | None, Table]]]:
        """(chart spec or None, table) of every figure, by group, in the order of the page."""
        layout: dict[str, list[tuple[dict | None, Table]]] = {}
        for figure in self:
            table = tables[figure.id]
            layout.setdefault(figure.group, []).append((figure.chart_spec(table), table))
        return layout

    def api_fields(self) -> list[str]:
        """The fields of the API answer the figures fill, each once, in the order of the page."""
        return list(dict.fromkeys(figure.api_name for figure in self))

    def api_tables(self, tables: dict[str, Table]) -> dict[str, dict[str, Any]]:
        """Every figure's table as the API gives it, under its field."""
        return {figure.api_name: tables[figure.id].as_json() for figure in self}
