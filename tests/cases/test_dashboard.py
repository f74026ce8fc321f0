"""The workload dashboard on a small hand-built data set whose figures are known."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from cases.models import Case, Channel, SatisfactionResponse, Status
from tests.factories import make_case, make_topic
from tests.french_csv import french_rows

URL = "/dossiers/tableau-de-bord/"
API = "/api/v1/dashboard/workload/"


def _case(tenant, *, days_ago: float, status=Status.NEW, assignee=None, **fields) -> Case:
    now = timezone.now()
    channel = fields.pop("channel", Channel.EMAIL)
    case = make_case(tenant.administration, channel=channel)
    created = now - dt.timedelta(days=days_ago)
    values = {
        "created_at": created,
        "due_at": fields.pop("due_at", created + dt.timedelta(days=10)),
        "status": status,
        "assignee": assignee,
        **fields,
    }
    Case.objects.filter(pk=case.pk).update(**values)
    case.refresh_from_db()
    return case


def _hours(case: Case, first_opened: float | None, answered: float, **extra) -> None:
    Case.objects.filter(pk=case.pk).update(
        assigned_at=case.created_at,
        first_opened_at=(
            case.created_at + dt.timedelta(hours=first_opened) if first_opened is not None else None
        ),
        answered_at=case.created_at + dt.timedelta(hours=answered),
        **extra,
    )


def _survey(case: Case, rating: int, answered: str, days_ago: float) -> None:
    SatisfactionResponse.objects.create(
        case=case,
        administration_id=case.administration_id,
        rating=rating,
        answered=answered,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.fixture
def world(tenants):
    """Tenant A: eight cases with known figures; tenant B: two cases that must never show."""
    a, b, _c = tenants
    now = timezone.now()
    housing = make_topic(None, "Aides au logement test")
    cases = {
        "c1": _case(a, days_ago=2, due_at=now + dt.timedelta(hours=24)),
        "c2": _case(a, days_ago=40, due_at=now - dt.timedelta(days=5)),
        "c3": _case(a, days_ago=3, status=Status.IN_PROGRESS, assignee=a.agent),
        "c4": _case(
            a,
            days_ago=10,
            status=Status.ASSIGNED,
            assignee=a.agent2,
            due_at=now - dt.timedelta(hours=1),
        ),
        "c5": _case(a, days_ago=5, status=Status.ANSWERED, assignee=a.agent, topic=housing),
        "c6": _case(a, days_ago=6, status=Status.CLOSED, assignee=a.agent2, channel=Channel.PHONE),
        "c7": _case(a, days_ago=60, status=Status.ANSWERED, assignee=a.agent, topic=housing),
        "c8": _case(a, days_ago=4, status=Status.ANSWERED, assignee=a.agent, topic=housing),
    }
    _hours(cases["c5"], first_opened=1, answered=3)
    _hours(cases["c6"], first_opened=None, answered=10, closed_at=now - dt.timedelta(days=1))
    Case.objects.filter(pk=cases["c6"].pk).update(
        assigned_at=cases["c6"].created_at + dt.timedelta(hours=2)
    )
    _hours(cases["c7"], first_opened=1, answered=240)
    _hours(cases["c8"], first_opened=0, answered=5)
    _survey(cases["c5"], 5, "yes", days_ago=1)
    _survey(cases["c6"], 2, "no", days_ago=2)
    _survey(cases["c7"], 4, "yes", days_ago=45)
    b1 = _case(b, days_ago=1, due_at=now - dt.timedelta(hours=2))
    b2 = _case(b, days_ago=3, status=Status.ANSWERED, assignee=b.agent)
    _hours(b2, first_opened=1, answered=50)
    _survey(b2, 1, "no", days_ago=1)
    return a, b, cases, (b1, b2)


def _signed_in(client, user):
    client.force_login(user)
    return client


def _figures(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'id="figure-([a-z_]+)".*?<p class="fr-tile__detail[^"]*" data-value>([^<]*)</p>',
            html,
            re.S,
        )
    )


def _figure_links(html: str) -> dict[str, str]:
    return {
        key: unescape(url)
        for key, url in re.findall(
            r'id="figure-([a-z_]+)".*?<h3 class="fr-tile__title"><a href="([^"]+)"', html, re.S
        )
    }


EXPECTED_A = {
    "open": 4,
    "queue": 2,
    "overdue": 2,
    "due_soon": 1,
    "created": 6,
    "answered": 3,
    "first_response": 5.0,
    "handling": 5.0,
    "survey": 2,
    "rating": 3.5,
}


def test_manager_sees_the_known_figures_of_their_administration(client, world):
    a, _b, _cases, _bs = world
    data = _signed_in(client, a.manager).get(API).json()
    assert data["administration"]["id"] == a.administration.pk
    assert data["period"]["days"] == 30
    assert data["figures"] == EXPECTED_A
    tables = data["tables"]
    # new, assigned, in progress, awaiting the usager
    assert [row[1] for row in tables["open-by-status"]["rows"]] == [2, 1, 1, 0]
    by_agent = {row[0]: row[1:] for row in tables["open-by-agent"]["rows"]}
    assert by_agent == {a.agent.display_name: [1, 0, 0], a.agent2.display_name: [1, 1, 0]}
    # e-mail (c5: 3 h and 2 h, c8: 5 h and 5 h), then phone (c6: 10 h, 8 h from assignment)
    assert [row[1:] for row in tables["times-by-channel"]["rows"]] == [
        [2, 4.0, 3.5],
        [1, 10.0, 8.0],
    ]
    by_topic = [row[1:] for row in tables["times-by-topic"]["rows"]]
    assert by_topic == [[2, 4.0, 3.5], [1, 10.0, 8.0]]  # the topic, then "no topic"
    satisfaction = {row[0]: row[1:] for row in tables["satisfaction"]["rows"]}
    assert satisfaction == {
        1: [0, 0, 0, 0],
        2: [1, 0, 0, 1],
        3: [0, 0, 0, 0],
        4: [0, 0, 0, 0],
        5: [1, 1, 0, 0],
    }
    weekly = tables["weekly"]["rows"]
    assert sum(row[1] for row in weekly) == 6
    assert sum(row[2] for row in weekly) == 3
    assert weekly[0][0] == (timezone.localdate() - dt.timedelta(days=29)).isoformat()


def test_page_shows_the_same_figures_and_charts(client, world, django_assert_max_num_queries):
    a, *_rest = world
    _signed_in(client, a.manager)
    with django_assert_max_num_queries(25):
        page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    figures = _figures(html)
    assert figures["open"] == "4" and figures["queue"] == "2" and figures["overdue"] == "2"
    assert figures["due_soon"] == "1" and figures["created"] == "6" and figures["answered"] == "3"
    assert figures["first_response"] == "5,0" and figures["handling"] == "5,0"
    for chart_id in (
        "chart-open-by-status",
        "chart-open-by-agent",
        "chart-weekly",
        "chart-times-by-channel",
        "chart-times-by-topic",
        "chart-satisfaction",
    ):
        assert f'id="{chart_id}-data"' in html  # the chart's JSON
    assert html.count('<table id="table-') == 6  # every chart has its data table
    assert 'id="nav-dashboard"' in html
    # The weekly chart says that its first and last weeks may be partial.
    assert 'data-chart-note="chart-weekly"' in html


def test_every_drill_down_opens_exactly_the_cases_of_its_figure(client, world):
    a, *_rest = world
    html = _signed_in(client, a.manager).get(URL).content.decode()
    links = _figure_links(html)
    assert set(links) == set(EXPECTED_A) - {"rating"}
    for key in ("open", "queue", "overdue", "due_soon", "created", "answered", "survey"):
        inbox = client.get(links[key])
        assert inbox.status_code == 200, key
        rows = inbox.content.decode().count("<tr data-case=")
        assert rows == EXPECTED_A[key], (key, links[key])
        # The inbox's banner names the figure and its filter, not "a figure of the dashboard".
        # (the queue and overdue figures are the inbox's own box and filter: no banner).
        banner = inbox.context["drill_down"]
        assert (banner in inbox.content.decode()) if banner else key in ("queue", "overdue"), key
    assert client.get(links["open"]).context["drill_down"] == "Dossiers ouverts"
    assert client.get(links["answered"]).context["drill_down"].startswith("Dossiers répondus du ")
    # The tables' cells link too: per status, per agent, per week, per channel, per rating.
    cells = re.findall(r'<td><a href="([^"]+)">(\d+)</a></td>', html)
    assert len(cells) >= 10
    for url, value in cells:
        rows = client.get(unescape(url)).content.decode().count("<tr data-case=")
        assert rows == int(value), unescape(url)


def test_custom_period_counts_only_its_days(client, world):
    a, *_rest = world
    today = timezone.localdate()
    start = (today - dt.timedelta(days=70)).isoformat()
    end = (today - dt.timedelta(days=30)).isoformat()
    data = _signed_in(client, a.manager).get(API, {"du": start, "au": end}).json()
    assert data["period"] == {"start": start, "end": end, "days": 41}
    assert data["figures"]["created"] == 2  # c2 (40 days ago) and c7 (60 days ago)
    assert data["figures"]["answered"] == 1  # c7, answered 50 days ago
    assert data["figures"]["survey"] == 1 and data["figures"]["rating"] == 4.0
    assert data["figures"]["open"] == 4  # the workload now does not depend on the period
    seven = client.get(API, {"periode": "7"}).json()
    assert seven["figures"]["created"] == 5  # c1, c3, c5, c6, c8


@pytest.mark.parametrize(
    "params, message",
    [
        ({"du": "2026-05-10", "au": "2026-05-01"}, "avant"),
        ({"periode": "custom", "du": "2026-05-01"}, "début et la fin"),
        ({"du": "2026-13-01", "au": "2026-05-01"}, "date de début valide"),
        ({"du": "2020-01-01", "au": "2026-01-01"}, "plus longue"),
        ({"periode": "12"}, "choix valide"),
    ],
)
def test_bad_periods_are_explained(client, world, params, message):
    a, *_rest = world
    _signed_in(client, a.manager)
    page = client.get(URL, params)
    assert page.status_code == 400
    assert message in page.content.decode()
    api = client.get(API, params)
    assert api.status_code == 400
    body = api.json()
    assert body["code"] == "invalid" and body["fields"]


def test_future_end_is_refused(client, world):
    a, *_rest = world
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = _signed_in(client, a.manager).get(URL, {"du": "2026-01-01", "au": tomorrow})
    assert page.status_code == 400
    assert "futur" in page.content.decode()


def test_agents_get_403(client, world):
    a, *_rest = world
    _signed_in(client, a.agent)
    assert client.get(URL).status_code == 403
    assert client.get(API).status_code == 403
    assert client.get(URL, {"export": "summary", "format": "csv"}).status_code == 403
    assert 'id="nav-dashboard"' not in client.get("/").content.decode()


def test_administrator_sees_the_dashboard(client, world):
    a, *_rest = world
    assert _signed_in(client, a.administrator).get(API).json()["figures"] == EXPECTED_A


def test_manager_of_b_sees_nothing_of_a(client, world):
    a, b, _cases, _bs = world
    _signed_in(client, b.manager)
    own = client.get(API).json()
    assert own["administration"]["id"] == b.administration.pk
    assert own["figures"]["open"] == 1 and own["figures"]["answered"] == 1
    assert own["figures"]["rating"] == 1.0
    for params in (
        {"administration": a.administration.pk},
        {"administration": a.administration.pk, "export": "summary", "format": "csv"},
        {"administration": 999_999},
        {"administration": "all"},
    ):
        assert client.get(URL, params).status_code == 404, params
        assert client.get(API, params).status_code == 404, params
    # And a drill-down link of A's dashboard opens B's inbox, never A's cases.
    a_case = Case.objects.filter(administration=a.administration).first()
    assert client.get(f"/dossiers/{a_case.pk}/").status_code == 404


def test_national_staff_see_all_or_one_administration(client, world):
    a, _b, _cases, _bs = world
    staff = User.objects.create_superuser("national@example.gouv.fr", "motdepasse-solide-2026")
    _signed_in(client, staff)
    everything = client.get(API, {"administration": "all"}).json()
    assert everything["administration"] is None
    assert everything["figures"]["open"] == 4 + 1
    assert everything["figures"]["answered"] == 3 + 1
    assert everything["figures"]["survey"] == 3
    one = client.get(API, {"administration": a.administration.pk}).json()
    assert one["figures"] == EXPECTED_A
    page = client.get(URL, {"administration": "all"}).content.decode()
    assert "Choisissez une administration" in page
    assert _figure_links(page) == {}  # no drill-down across administrations
    page = client.get(URL, {"administration": a.administration.pk}).content.decode()
    links = _figure_links(page)
    rows = client.get(links["queue"]).content.decode().count("<tr data-case=")
    assert rows == 2
    assert client.get(URL, {"administration": 999_999}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    page = client.get(URL)
    assert page.status_code == 302 and "/compte/connexion/" in page["Location"]
    assert client.get(API).status_code in (401, 403)


def test_exports_have_the_figures_filtered_as_on_screen(client, world):
    a, *_rest = world
    _signed_in(client, a.manager)
    csv_response = client.get(URL, {"periode": "30", "export": "times-by-channel", "format": "csv"})
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = french_rows(csv_response.content)
    assert len(rows) == 3  # header, e-mail, phone
    assert sorted(row[1:] for row in rows[1:]) == [["1", "10,0", "8,0"], ["2", "4,0", "3,5"]]
    xlsx = client.get(URL, {"periode": "7", "export": "summary", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2)}
    assert values["Dossiers ouverts"] == 4
    assert values["Nouveaux dossiers sur la période"] == 5
    assert client.get(URL, {"export": "summary", "format": "pdf"}).status_code == 400
    assert client.get(URL, {"export": "nope", "format": "csv"}).status_code == 400


def test_medians_under_a_tenth_of_an_hour_do_not_read_as_no_case(client, tenant_a):
    """A new administration's first reply, sent a few minutes after arrival: the tiles say one
    case answered at 0.0 h; the charts of medians must not say that no case matches."""
    case = _case(tenant_a, days_ago=1, status=Status.ANSWERED, assignee=tenant_a.agent)
    _hours(case, first_opened=0.01, answered=0.02)
    html = unescape(
        _signed_in(client, tenant_a.manager).get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    empty = dict(re.findall(r'data-chart-empty="([\w-]+)">([^<]+)<', html))
    for chart in ("chart-times-by-channel", "chart-times-by-topic"):
        assert "every median is under 0.1 h" in empty[chart], chart
    assert "no case or draft matches" not in empty["chart-times-by-channel"]
