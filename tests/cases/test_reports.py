import io

import pytest
from openpyxl import load_workbook

from cases.reporting.exports import ExportFormatError, export_response
from cases.reporting.tables import Table, chart
from tests.french_csv import french_rows

TABLE = Table(
    id="load",
    title="Dossiers ouverts par agent",
    columns=["Agent", "Dossiers", "Part"],
    rows=[["Élise Martin", 12, 0.5], ["Noé Durand", 3, None]],
)


def test_csv_export_keeps_accents_numbers_and_empty_cells():
    response = export_response(TABLE, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="dossiers-ouverts-par-agent.csv"' in response["Content-Disposition"]
    rows = french_rows(response.content)
    assert rows == [
        ["Agent", "Dossiers", "Part"],
        ["Élise Martin", "12", "0,5"],
        ["Noé Durand", "3", ""],
    ]


def test_xlsx_export_has_the_same_cells_as_numbers():
    response = export_response(TABLE, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Agent", "Dossiers", "Part"]
    assert values[1] == ["Élise Martin", 12, 0.5]
    assert values[2][:2] == ["Noé Durand", 3]


def test_unknown_export_format_is_refused():
    with pytest.raises(ExportFormatError):
        export_response(TABLE, "pdf")


def test_chart_spec_is_plain_json():
    spec = chart(
        id="c1", title="T", type="bar", labels=[1, 2], datasets=[{"label": "n", "data": [1, None]}]
    )
    assert spec["data_id"] == "c1-data"
    assert spec["labels"] == ["1", "2"]
    assert spec["datasets"][0]["data"] == [1, None]


def test_table_display_rows_carry_drill_down_links():
    table = Table(id="t", title="t", columns=["a"], rows=[[1]], links=[["/dossiers/?x=1"]])
    assert table.display_rows == [[{"text": "1", "url": "/dossiers/?x=1"}]]
