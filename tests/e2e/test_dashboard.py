"""A manager opens the workload dashboard in the browser: the charts are drawn, each with its
table, and a figure opens its cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Channel, SatisfactionResponse, Topic
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _activity(tenant) -> None:
    """A few weeks of work: new cases, cases being worked, answered cases and survey answers."""
    now = timezone.now()
    channels = [Channel.EMAIL, Channel.PHONE, Channel.WEB_FORM, Channel.SERVICE_PUBLIC_QUESTION]
    topics = list(Topic.objects.filter(administration__isnull=True).order_by("slug")[:3])
    for index in range(16):
        case = make_case(
            tenant.administration,
            subject=f"Demande n°{index}",
            channel=channels[index % len(channels)],
            topic=topics[index % len(topics)],
        )
        agent = tenant.agent if index % 3 else tenant.agent2
        created = now - dt.timedelta(days=index * 1.7, hours=3)
        if index % 4 == 0:
            Case.objects.filter(pk=case.pk).update(
                created_at=created, due_at=created + dt.timedelta(days=3)
            )
            continue
        case = services.case_take(actor=agent, case=case)
        if index % 4 == 1:
            Case.objects.filter(pk=case.pk).update(created_at=created)
            continue
        services.case_send_reply(actor=agent, case=case, body="Madame, Monsieur, voici la réponse.")
        Case.objects.filter(pk=case.pk).update(
            created_at=created,
            assigned_at=created + dt.timedelta(hours=1),
            first_opened_at=created + dt.timedelta(hours=2),
            answered_at=created + dt.timedelta(hours=2 + index),
        )
        if index % 3:
            SatisfactionResponse.objects.create(
                case=case,
                administration=tenant.administration,
                rating=1 + index % 5,
                answered=["yes", "partly", "no"][index % 3],
                created_at=created + dt.timedelta(days=1),
            )


def test_manager_sees_the_charts_and_drills_down(page, tenants):
    tenant = tenants[0]
    _activity(tenant)

    sign_in(page, tenant.manager.email)
    page.locator("#nav-dashboard").click()
    page.wait_for_url("**/dossiers/tableau-de-bord/")
    page.locator("#id_periode").select_option("30")
    page.locator("#dashboard-apply").click()
    page.wait_for_url("**periode=30**")

    charts = page.locator("figure[data-chart]")
    assert charts.count() == 6
    page.wait_for_function(
        "document.querySelectorAll('figure[data-chart][data-rendered=\"true\"]').length === 6"
    )
    for index in range(charts.count()):
        figure = charts.nth(index)
        canvas = figure.locator("canvas")
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50
        # Chart.js drew something: the canvas is not blank.
        assert canvas.evaluate(
            "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v)"
        )
        assert figure.locator("table").count() == 1
    assert page.locator("#figure-answered [data-value]").inner_text() == "8"
    screenshot(page, "dashboard.png")

    page.locator("#figure-queue a").click()
    page.wait_for_url("**box=queue**")
    assert page.locator("tr[data-case]").count() == 4
