"""A manager opens the impact report in the browser: the charts are drawn, the tables there."""

from __future__ import annotations

import pytest

from drafting.models import Arm
from tests.drafting.test_impact import (
    adoption_data,
    answered_cases,
    make_period,
    satisfaction_data,
)
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_opens_the_impact_report_and_sees_the_charts(page, tenants):
    tenant = tenants[0]
    period = make_period(tenant)
    answered_cases(tenant, period, Arm.CONTROL, range(100, 141))
    answered_cases(tenant, period, Arm.ASSISTED, range(70, 111))
    adoption_data(tenant, period)
    satisfaction_data(tenant, period)

    sign_in(page, tenant.manager.email)
    page.locator("#nav-impact").click()
    page.wait_for_url("**/brouillons/impact/")
    assert page.locator("h1").inner_text().startswith("Impact des brouillons")

    charts = page.locator("figure[data-chart]")
    assert charts.count() == 5
    page.wait_for_function(
        "document.querySelectorAll('figure[data-chart][data-rendered=true]').length === 5"
    )
    # Chart.js drew on every canvas (a drawn canvas is not blank).
    blank = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure[data-chart] canvas')).filter(c => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return false; }
            return true;
        }).length"""
    )
    assert blank == 0
    # One plain sentence, no statistician's words: a gain with its range, or what could be seen.
    verdict = page.locator("#handling-verdict").inner_text()
    assert "de temps en moins (entre" in verdict or "n’est pas la preuve" in verdict
    assert "intervalle de confiance" not in verdict
    page.locator("#how-to-read button").click()
    page.locator("#how-to-read-body p").first.wait_for(state="visible")
    assert page.locator("#table-handling-time").is_visible()

    # Filters go through the URL, and the data table behind a chart opens.
    page.locator("#id_channel").select_option("email")
    page.locator("#impact-apply").click()
    page.wait_for_url("**channel=email**")
    page.locator("figure[data-chart='chart-adoption-data'] summary").click()
    assert page.locator("#table-adoption-channel tbody tr").count() == 1

    page.goto("/brouillons/impact/")
    page.wait_for_function(
        "document.querySelectorAll('figure[data-chart][data-rendered=true]').length === 5"
    )
    screenshot(page, "impact-report.png")


def test_agent_has_no_impact_link_and_gets_403(page, tenants):
    tenant = tenants[0]
    make_period(tenant)
    sign_in(page, tenant.agent.email)
    assert page.locator("#nav-impact").count() == 0
    response = page.goto("/brouillons/impact/")
    assert response.status == 403
