"""The impact report: each figure computed on a hand-built data set whose answers are known,
the confidence intervals, the "too few cases" rule, roles, tenancy, exports and the API."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import Case, Channel, SatisfactionResponse, Status
from drafting.experiment.impact import selectors as impact
from drafting.experiment.impact import statistics
from drafting.experiment.impact.filters import ImpactFilters
from drafting.experiment.impact.statistics import Distribution
from drafting.models import Arm, CaseArm, ExperimentPeriod, Suggestion
from tests.factories import UserFactory, make_topic
from tests.french_csv import french_number, french_rows

pytestmark = pytest.mark.django_db

URL = "/brouillons/impact/"
API_URL = "/api/v1/impact/"
ERROR_KEYS = {"detail", "code", "fields"}
_refs = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- hand-built data ------------------------------------------------------------------------


def make_period(tenant, *, backend="openai", model_name="albert-large", days_ago=30, ended=False):
    now = timezone.now()
    return ExperimentPeriod.objects.create(
        administration=tenant.administration,
        assisted_share=Decimal("0.5"),
        seed=f"seed-{next(_refs)}",
        backend=backend,
        model_name=model_name,
        started_at=now - dt.timedelta(days=days_ago),
        ended_at=now - dt.timedelta(days=1) if ended else None,
    )


def answered_cases(
    tenant, period, arm, minutes, *, assignee=None, channel=Channel.EMAIL, topic=None, opened=True
):
    """Cases of ``arm`` in ``period``, answered ``minutes`` after their agent first opened them."""
    now = timezone.now()
    start = now - dt.timedelta(days=3)
    assignee = assignee or tenant.agent
    cases = Case.objects.bulk_create(
        [
            Case(
                administration=tenant.administration,
                reference=f"TEST-{next(_refs)}",
                channel=channel,
                topic=topic,
                subject="Question",
                body="Bonjour",
                status=Status.ANSWERED,
                assignee=assignee,
                due_at=now,
                created_at=start,
                first_opened_at=start if opened else None,
                answered_at=start + dt.timedelta(minutes=m),
            )
            for m in minutes
        ]
    )
    CaseArm.objects.bulk_create(
        [CaseArm(case=case, period=period, arm=arm, draw=0.25) for case in cases]
    )
    return cases


def filters_for(tenant, period=None, **kwargs) -> ImpactFilters:
    return ImpactFilters(administration=tenant.administration, period=period, **kwargs)


def login(client, user):
    client.force_login(user)
    return client


# --- statistics on summaries ----------------------------------------------------------------


def test_distribution_median_from_value_counts():
    assert Distribution.from_pairs([(5, 1), (1, 1), (3, 1)]).median() == 3
    assert Distribution.from_pairs([(1, 2), (10, 2)]).median() == 5.5
    assert Distribution.from_pairs([(2, 3), (7, 1)]).median() == 2
    assert Distribution.from_pairs([]).median() is None


@pytest.mark.parametrize("counts", [[1, 2, 3, 1, 2, 1, 1, 3, 1], [2, 1, 1, 3, 1, 2, 1, 1, 2, 2]])
def test_drawn_bootstrap_median_has_the_distribution_of_a_resampled_median(counts):
    """The two-draw shortcut against literally resampling the sample and taking the median."""
    values = [float(v * v) for v in range(1, len(counts) + 1)]
    distribution = Distribution(values=values, counts=counts)
    sample = [v for v, c in zip(values, counts, strict=True) for _ in range(c)]
    n, draws = len(sample), 20_000
    rng = random.Random(1)
    shortcut = [distribution.bootstrap_median(rng) for _ in range(draws)]
    brute = []
    for _ in range(draws):
        resample = sorted(rng.choices(sample, k=n))
        middle = n // 2
        brute.append(resample[middle] if n % 2 else (resample[middle - 1] + resample[middle]) / 2)
    for threshold in sorted(set(brute)):
        p_shortcut = sum(x <= threshold for x in shortcut) / draws
        p_brute = sum(x <= threshold for x in brute) / draws
        assert abs(p_shortcut - p_brute) < 0.02, threshold


def test_wilson_and_newcombe_intervals_match_the_published_examples():
    # Newcombe (1998), Statistics in Medicine 17: 81/263, and 56/70 − 48/80.
    low, high = statistics.wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=5e-4)
    assert high == pytest.approx(0.3662, abs=5e-4)
    low, high = statistics.proportion_difference_ci(56, 70, 48, 80)
    assert low == pytest.approx(0.0524, abs=5e-4)
    assert high == pytest.approx(0.3339, abs=5e-4)


# --- handling time --------------------------------------------------------------------------


def test_handling_time_medians_difference_gain_and_interval(tenants):
    tenant_a, tenant_b = tenants[0], tenants[1]
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 141))  # median 120 min
    answered_cases(tenant_a, period, Arm.ASSISTED, range(70, 111))  # median 90 min
    # Not counted: answered by someone who never volunteered, never opened, another tenant.
    answered_cases(tenant_a, period, Arm.CONTROL, [5000] * 30, assignee=tenant_a.administrator)
    answered_cases(tenant_a, period, Arm.ASSISTED, [1] * 30, opened=False)
    other = make_period(tenant_b)
    answered_cases(tenant_b, other, Arm.ASSISTED, [9000] * 40)

    result = impact.handling_time(filters_for(tenant_a, period))

    assert result["control"] == {"cases": 41, "median_seconds": 7200.0}
    assert result["assisted"] == {"cases": 41, "median_seconds": 5400.0}
    assert result["difference_seconds"] == 1800.0
    assert result["relative_gain"] == pytest.approx(0.25)
    assert result["enough_cases"] is True
    low, high = result["difference_ci"]
    assert 0 < low < 1800 < high
    # Each median is known to within a few minutes with 41 cases spread over 40 minutes.
    assert high - low < 20 * 60
    gain_low, gain_high = result["relative_gain_ci"]
    assert 0 < gain_low < 0.25 < gain_high
    assert result["verdict"] == "assisted_faster"
    # Same data, same interval: the resampling has a fixed seed.
    assert impact.handling_time(filters_for(tenant_a, period))["difference_ci"] == [low, high]


def test_handling_time_interval_includes_zero_without_a_difference(tenant_a):
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 141))
    answered_cases(tenant_a, period, Arm.ASSISTED, range(100, 141))
    result = impact.handling_time(filters_for(tenant_a, period))
    low, high = result["difference_ci"]
    assert result["difference_seconds"] == 0
    assert low < 0 < high
    assert result["verdict"] == "no_difference"


def test_too_few_cases_give_no_interval(tenant_a):
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 140))
    answered_cases(tenant_a, period, Arm.ASSISTED, range(10, 39))  # 29 cases: one too few
    result = impact.handling_time(filters_for(tenant_a, period))
    assert result["assisted"]["cases"] == statistics.MIN_CASES_PER_ARM - 1
    assert result["difference_seconds"] is not None  # the point estimate is still shown
    assert result["difference_ci"] is None
    assert result["relative_gain_ci"] is None
    assert result["verdict"] == "too_few"


def test_long_durations_land_in_coarser_buckets_represented_by_their_mean(tenant_a):
    period = make_period(tenant_a)
    # 2 days + 1 min and 2 days + 3 min share a 10-minute bucket: its mean is 2 days + 2 min.
    answered_cases(tenant_a, period, Arm.CONTROL, [2 * 1440 + 1, 2 * 1440 + 3])
    distribution = impact.handling_time_distributions(filters_for(tenant_a, period))[Arm.CONTROL]
    assert distribution.values == [(2 * 1440 + 2) * 60.0]
    assert distribution.counts == [2]


def test_periods_and_filters_split_the_cases(tenant_a):
    topic = make_topic(tenant_a.administration, "Famille")
    old = make_period(tenant_a, backend="offline", model_name="", days_ago=60, ended=True)
    new = make_period(tenant_a)
    answered_cases(tenant_a, old, Arm.CONTROL, [10] * 3, channel=Channel.PHONE)
    answered_cases(tenant_a, new, Arm.CONTROL, [20] * 5, topic=topic)
    answered_cases(tenant_a, new, Arm.ASSISTED, [30] * 7)

    def counts(**kwargs):
        result = impact.handling_time(filters_for(tenant_a, **kwargs))
        return result["control"]["cases"], result["assisted"]["cases"]

    assert counts(period=old) == (3, 0)
    assert counts(period=new) == (5, 7)
    assert counts() == (8, 7)  # all periods
    assert counts(backend="offline") == (3, 0)
    assert counts(model_name="albert-large") == (5, 7)
    assert counts(channel=Channel.PHONE) == (3, 0)
    assert counts(topic_id=topic.pk) == (5, 0)
    assert impact.arm_counts(filters_for(tenant_a)) == {"assisted": 7, "control": 8}


# --- satisfaction ---------------------------------------------------------------------------


def satisfaction_data(tenant, period, *, per_arm=40):
    assisted = answered_cases(tenant, period, Arm.ASSISTED, [60] * per_arm)
    control = answered_cases(tenant, period, Arm.CONTROL, [60] * per_arm)
    responses = []
    half, yes_a, yes_c = per_arm // 2, per_arm * 3 // 4, per_arm // 2
    for index, case in enumerate(assisted):  # ratings 5 and 4: mean 4.5; 75 % "yes"
        responses.append(
            SatisfactionResponse(
                case=case,
                administration_id=case.administration_id,
                rating=5 if index < half else 4,
                answered="yes" if index < yes_a else "partly",
            )
        )
    for index, case in enumerate(control):  # ratings 4 and 3: mean 3.5; 50 % "yes"
        responses.append(
            SatisfactionResponse(
                case=case,
                administration_id=case.administration_id,
                rating=4 if index < half else 3,
                answered="yes" if index < yes_c else "no",
            )
        )
    SatisfactionResponse.objects.bulk_create(responses)


def test_satisfaction_means_shares_and_intervals(tenant_a):
    period = make_period(tenant_a)
    satisfaction_data(tenant_a, period)
    result = impact.satisfaction(filters_for(tenant_a, period))
    assert result["assisted"]["responses"] == result["control"]["responses"] == 40
    assert result["assisted"]["mean_rating"] == 4.5
    assert result["control"]["mean_rating"] == 3.5
    assert result["assisted"]["ratings"] == {1: 0, 2: 0, 3: 0, 4: 20, 5: 20}
    assert result["mean_difference"] == 1.0
    # Sample variance of a 20/20 split one point apart: 0.25 × 40/39; Welch: 1 ± 1.96·√(2v/40).
    half = 1.959964 * (2 * (0.25 * 40 / 39) / 40) ** 0.5
    low, high = result["mean_difference_ci"]
    assert low == pytest.approx(1 - half, abs=1e-6)
    assert high == pytest.approx(1 + half, abs=1e-6)
    assert result["verdict"] == "assisted_better"
    assert result["assisted"]["yes_share"] == 0.75
    assert result["control"]["yes_share"] == 0.5
    assert result["yes_share_difference"] == 0.25
    expected = statistics.proportion_difference_ci(30, 40, 20, 40)
    assert result["yes_share_difference_ci"] == list(expected)
    assert 0 < expected[0] < 0.25 < expected[1]
    assert result["yes_verdict"] == "assisted_better"


def test_satisfaction_with_too_few_responses(tenant_a):
    period = make_period(tenant_a)
    satisfaction_data(tenant_a, period, per_arm=12)
    result = impact.satisfaction(filters_for(tenant_a, period))
    assert result["mean_difference"] == 1.0
    assert result["mean_difference_ci"] is None
    assert result["yes_share_difference_ci"] is None
    assert result["verdict"] == result["yes_verdict"] == "too_few"


# --- adoption and operations ----------------------------------------------------------------


def adoption_data(tenant, period):
    """12 assisted cases with one draft each; see the expected figures in the tests."""
    email = answered_cases(tenant, period, Arm.ASSISTED, [60] * 6, channel=Channel.EMAIL)
    phone = answered_cases(tenant, period, Arm.ASSISTED, [60] * 6, channel=Channel.PHONE)
    now = timezone.now()
    rows = [
        # (case, status, decision, reason, similarity, latency, shown, backend, fell_back)
        (email[0], "ready", "accepted", "", 1.0, 100, True, "openai", False),
        (email[1], "ready", "accepted", "", 1.0, 200, True, "openai", False),
        (email[2], "ready", "accepted", "", 1.0, 300, True, "openai", False),
        (email[3], "ready", "accepted", "", 1.0, 400, True, "openai", False),
        (email[4], "ready", "edited", "", 0.8, 500, True, "openai", False),
        (email[5], "ready", "edited", "", 0.6, 600, True, "openai", False),
        (phone[0], "ready", "discarded", "wrong", None, 700, True, "openai", False),
        (phone[1], "ready", "discarded", "not_used", 0.2, 800, True, "openai", False),
        (phone[2], "ready", "", "", None, 900, False, "openai", False),
        (phone[3], "ready", "", "", None, 1000, False, "openai", False),
        (phone[4], "failed", "", "", None, None, False, "openai", False),
        (phone[5], "ready", "", "", None, 50, False, "offline", True),
    ]
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                case=case,
                administration=tenant.administration,
                status=status,
                decision=decision,
                discard_reason=reason,
                similarity=similarity,
                latency_ms=latency,
                shown_at=now if shown else None,
                backend=backend,
                model_name="albert-large" if backend == "openai" else "",
                fell_back=fell_back,
                prompt_tokens=100 if status == "ready" else None,
                completion_tokens=50 if status == "ready" else None,
                text="Bonjour",
            )
            for (
                case,
                status,
                decision,
                reason,
                similarity,
                latency,
                shown,
                backend,
                fell_back,
            ) in (rows)
        ]
    )


def test_adoption_shares_reasons_and_similarity(tenants):
    tenant_a, tenant_b = tenants[0], tenants[1]
    period = make_period(tenant_a)
    adoption_data(tenant_a, period)
    adoption_data(tenant_b, make_period(tenant_b))  # never counted for A
    result = impact.adoption_and_operations(filters_for(tenant_a, period))

    overall = result["overall"]
    assert overall["drafts"] == 12
    assert overall["ready"] == 11
    assert overall["shown"] == 8
    assert overall["shown_share"] == pytest.approx(8 / 11)
    assert overall["accepted_share"] == 0.5
    assert overall["edited_share"] == 0.25
    assert overall["discarded_share"] == 0.25
    assert overall["edited_mean_similarity"] == pytest.approx(0.7)

    by_backend = {(r["backend"], r["model_name"]): r for r in result["by_backend"]}
    assert by_backend[("openai", "albert-large")]["shown_share"] == 0.8
    assert by_backend[("offline", "")]["ready"] == 1
    assert by_backend[("offline", "")]["shown_share"] == 0

    by_channel = {r["channel"]: r for r in result["by_channel"]}
    assert by_channel["email"]["accepted_share"] == pytest.approx(4 / 6)
    assert by_channel["email"]["edited_share"] == pytest.approx(2 / 6)
    assert by_channel["phone"]["discarded_share"] == 1.0
    assert by_channel["phone"]["shown_share"] == pytest.approx(2 / 5)

    assert {r["reason"]: r["share"] for r in result["discard_reasons"]} == {
        "wrong": 0.5,
        "not_used": 0.5,
    }


def test_operations_failures_fallbacks_tokens_and_latency(tenant_a):
    period = make_period(tenant_a)
    adoption_data(tenant_a, period)
    operations = {
        r["backend"]: r
        for r in impact.adoption_and_operations(filters_for(tenant_a, period))["operations"]
    }
    openai = operations["openai"]
    assert (openai["drafts"], openai["failed"], openai["fell_back"]) == (11, 1, 0)
    assert openai["failed_share"] == pytest.approx(1 / 11)
    assert (openai["prompt_tokens"], openai["completion_tokens"]) == (1000, 500)
    assert openai["tokens_per_draft"] == 150
    # percentile_cont over 100, 200, …, 1000 ms.
    assert openai["latency_ms"] == pytest.approx({"p50": 550.0, "p90": 910.0, "p95": 955.0})
    offline = operations["offline"]
    assert (offline["drafts"], offline["fell_back"], offline["fell_back_share"]) == (1, 1, 1.0)
    assert offline["latency_ms"] == {"p50": 50.0, "p90": 50.0, "p95": 50.0}


@pytest.mark.parametrize("rollups", [True, False])
def test_the_report_is_a_handful_of_aggregate_queries(tenant_a, settings, rollups):
    settings.IMPACT_REPORT_ROLLUPS = rollups
    period = make_period(tenant_a)
    adoption_data(tenant_a, period)
    satisfaction_data(tenant_a, period)
    with CaptureQueriesContext(connection) as queries:
        impact.impact_report(filters_for(tenant_a, period))
    # From the rollups: cases per arm with the handling time (the volunteer flag is in them),
    # drafts grouped, latency, satisfaction. From the facts: the enrolments first.
    assert len(queries) == (4 if rollups else 5)


# --- the page: roles and tenancy ------------------------------------------------------------


def test_manager_sees_the_report_with_charts_and_tables(client, tenant_a):
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 141))
    answered_cases(tenant_a, period, Arm.ASSISTED, range(70, 111))
    adoption_data(tenant_a, period)
    login(client, tenant_a.manager)
    response = client.get(reverse("drafting:impact"))
    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in ("chart-handling", "chart-ratings", "chart-adoption", "chart-reasons"):
        assert f'data-chart="{chart_id}-data"' in html
    assert 'id="table-handling-time"' in html
    assert "export=adoption-channel&amp;format=xlsx" in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    # The handling-time verdict, and the satisfaction one with no survey yet.
    assert "de temps en moins (entre" in html or "less time (between" in html
    assert response.context["report"]["handling_time"]["verdict"] == "assisted_faster"
    assert response.context["report"]["satisfaction"]["verdict"] == "too_few"


def test_an_empty_chart_says_what_is_missing(client, tenant_a):
    """Cases but no draft discarded, no latency recorded: each chart says that, not that no
    case matches (which the figures beside it would contradict)."""
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 141))
    login(client, tenant_a.manager)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    empty = dict(re.findall(r'data-chart-empty="([\w-]+)">([^<]+)<', html))
    assert empty["chart-reasons"] == "No draft was discarded in this period, with these filters."
    assert empty["chart-latency"] == (
        "No drafting time was recorded for the drafts of this period."
    )


def test_the_page_says_plainly_when_there_are_too_few_cases(client, tenant_a):
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 110))
    answered_cases(tenant_a, period, Arm.ASSISTED, range(70, 80))
    login(client, tenant_a.manager)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "We cannot conclude yet: about 40 more cases" in html or (
        "On ne peut pas encore conclure : il faudrait environ 40 dossiers de plus" in html
    )


@pytest.mark.parametrize(
    ("language", "offline", "share"),
    [
        ("en", "Offline drafter of Guichet", "50% assisted"),
        ("fr", "Rédacteur hors ligne de Guichet", "50\u00a0% assistés"),
    ],
)
def test_the_backends_are_named_in_words_not_by_their_setting(
    client, tenant_a, language, offline, share
):
    period = make_period(tenant_a, backend="offline", model_name="")
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 110))
    login(client, tenant_a.manager)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    # The period's label, the backend filter's choice: words, not the code "offline".
    assert f'<option value="offline">{offline}</option>' in html
    assert f"{offline} · {share}" in html
    assert " offline ·" not in html and ">offline<" not in html


def test_administrator_sees_the_report(client, tenant_a):
    make_period(tenant_a)
    assert login(client, tenant_a.administrator).get(URL).status_code == 200


def test_agent_gets_403(client, tenant_a):
    make_period(tenant_a)
    assert login(client, tenant_a.agent).get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


def test_manager_of_b_sees_nothing_of_a(client, tenants):
    tenant_a, tenant_b = tenants[0], tenants[1]
    period_a = make_period(tenant_a)
    make_period(tenant_b)
    login(client, tenant_b.manager)
    assert client.get(URL, {"period": period_a.pk}).status_code == 404
    assert client.get(URL, {"administration": tenant_a.administration.pk}).status_code == 404
    assert client.get(URL, {"period": 999_999}).status_code == 404
    own = client.get(URL)
    assert own.status_code == 200
    assert own.context["administration"] == tenant_b.administration


def test_national_staff_choose_the_administration(client, tenants):
    tenant_a = tenants[0]
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, [10] * 3)
    staff = UserFactory(is_superuser=True, is_staff=True)
    login(client, staff)
    response = client.get(URL, {"administration": tenant_a.administration.pk})
    assert response.status_code == 200
    assert response.context["administration"] == tenant_a.administration
    assert response.context["report"]["cases"]["control"] == 3
    assert client.get(URL, {"administration": 999_999}).status_code == 404


def test_bad_filters_are_a_clear_400(client, tenant_a):
    make_period(tenant_a)
    login(client, tenant_a.manager)
    for params in ({"channel": "pigeon"}, {"topic": "abc"}, {"period": "hier"}):
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert "fr-error-text" in response.content.decode()


def test_page_without_experiment_says_so(client, tenant_a):
    response = login(client, tenant_a.manager).get(URL)
    assert response.status_code == 200
    assert response.context["has_periods"] is False


# --- exports --------------------------------------------------------------------------------


def test_csv_export_is_filtered_as_on_screen(client, tenant_a):
    period = make_period(tenant_a)
    adoption_data(tenant_a, period)
    login(client, tenant_a.manager)
    response = client.get(
        URL,
        {"period": period.pk, "channel": "email", "export": "adoption-channel", "format": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = french_rows(response.content)
    assert len(lines) == 2  # header + the e-mail channel only
    cells = lines[1]
    assert cells[1] == "6"  # drafts ready
    assert french_number(cells[2]) == 100  # all shown
    assert cells[3] == "66,7"  # 4 of the 6 accepted, rounded (not 66,6 nor 66.66666666666667)
    # Named after the administration and the period: two exports never overwrite each other.
    disposition = response["Content-Disposition"]
    code = tenant_a.administration.code.lower()
    started = timezone.localdate(period.started_at).isoformat()
    assert code in disposition.lower() and started in disposition, disposition


def test_xlsx_export_of_the_handling_time_table(client, tenant_a):
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 141))
    answered_cases(tenant_a, period, Arm.ASSISTED, range(70, 111))
    login(client, tenant_a.manager)
    response = client.get(URL, {"export": "handling-time", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # The figures only: the conclusion is the sentence above the table, said once.
    assert len(rows) == 7
    by_label = {row[0]: row for row in rows[1:]}
    values = [row[1] for row in rows[1:]]
    assert values[:5] == [41, 41, 90, 120, 30]
    difference = rows[5]
    assert difference[2] > 0 and difference[3] > 30
    assert len(by_label) == 6


@pytest.mark.parametrize(
    "table",
    [
        "handling-time",
        "handling-distribution",
        "satisfaction",
        "satisfaction-ratings",
        "adoption-backend",
        "adoption-channel",
        "adoption-topic",
        "discard-reasons",
        "operations",
    ],
)
def test_every_table_exports_as_csv_and_xlsx(client, tenant_a, table):
    period = make_period(tenant_a)
    adoption_data(tenant_a, period)
    login(client, tenant_a.manager)
    for fmt in ("csv", "xlsx"):
        response = client.get(URL, {"export": table, "format": fmt})
        assert response.status_code == 200, (table, fmt)
        assert "attachment" in response["Content-Disposition"]


def test_unknown_export_or_format(client, tenant_a):
    make_period(tenant_a)
    login(client, tenant_a.manager)
    assert client.get(URL, {"export": "nope", "format": "csv"}).status_code == 404
    assert client.get(URL, {"export": "operations", "format": "pdf"}).status_code == 400


def test_agent_cannot_export(client, tenant_a):
    make_period(tenant_a)
    login(client, tenant_a.agent)
    assert client.get(URL, {"export": "operations", "format": "csv"}).status_code == 403


# --- API ------------------------------------------------------------------------------------


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_api_returns_the_same_figures(tenant_a):
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, range(100, 141))
    answered_cases(tenant_a, period, Arm.ASSISTED, range(70, 111))
    adoption_data(tenant_a, period)
    satisfaction_data(tenant_a, period)
    response = api_client(tenant_a.manager).get(API_URL, {"period": period.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["period"]["id"] == period.pk
    handling = data["handling_time"]
    # 41 + 41 cases above, plus the adoption and satisfaction cases (60 minutes each).
    assert handling["control"]["cases"] == 41 + 40
    assert handling["verdict"] in {"assisted_faster", "no_difference", "assisted_slower"}
    assert len(handling["difference_ci"]) == 2
    assert sum(b["control"] for b in handling["distribution"]) == 81
    assert data["adoption"]["overall"]["accepted_share"] == 0.5
    assert data["satisfaction"]["mean_difference"] == 1.0
    assert data["adoption"]["operations"][1]["latency_ms"]["p50"] == 550.0
    expected = impact.impact_report(filters_for(tenant_a, period))
    assert handling["difference_ci"] == expected["handling_time"]["difference_ci"]


def test_api_roles_and_tenancy(tenants):
    tenant_a, tenant_b = tenants[0], tenants[1]
    period_a = make_period(tenant_a)
    make_period(tenant_b)
    agent = api_client(tenant_a.agent).get(API_URL)
    assert agent.status_code == 403
    assert set(agent.json()) == ERROR_KEYS
    foreign = api_client(tenant_b.manager).get(API_URL, {"period": period_a.pk})
    assert foreign.status_code == 404
    assert set(foreign.json()) == ERROR_KEYS
    other = api_client(tenant_b.manager).get(
        API_URL, {"administration": tenant_a.administration.pk}
    )
    assert other.status_code == 404
    assert APIClient().get(API_URL).status_code == 401  # challenged for a token


def test_api_bad_filter_is_a_400_with_fields(tenant_a):
    make_period(tenant_a)
    response = api_client(tenant_a.manager).get(API_URL, {"channel": "pigeon"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert "channel" in body["fields"]


# --- edge cases -----------------------------------------------------------------------------


def test_administration_without_volunteers_compares_nothing(db):
    from accounts.models import Role
    from tests.factories import make_administration, make_member

    administration = make_administration("Sans volontaires", code="SANSVOL")
    agent = make_member(administration, Role.AGENT)
    make_member(administration, Role.MANAGER)

    class Tenant:
        pass

    tenant = Tenant()
    tenant.administration, tenant.agent = administration, agent
    period = make_period(tenant)
    answered_cases(tenant, period, Arm.CONTROL, range(100, 141))
    report = impact.impact_report(ImpactFilters(administration=administration, period=period))
    assert report["cases"] == {"assisted": 0, "control": 41}
    assert report["handling_time"]["control"]["cases"] == 0
    assert report["handling_time"]["verdict"] == "too_few"


def test_report_is_cached_per_filters_for_a_few_minutes(tenant_a, settings):
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.CONTROL, [10] * 3)
    filters = filters_for(tenant_a, period)
    assert impact.cached_impact_report(filters)["cases"]["control"] == 3
    answered_cases(tenant_a, period, Arm.CONTROL, [10] * 2)
    assert impact.cached_impact_report(filters)["cases"]["control"] == 3
    assert impact.cached_impact_report(filters_for(tenant_a))["cases"]["control"] == 5
    settings.IMPACT_REPORT_CACHE_SECONDS = 0
    assert impact.cached_impact_report(filters)["cases"]["control"] == 5


def test_navigation_shows_the_report_to_managers_only(client, tenant_a):
    assert 'id="nav-impact"' in login(client, tenant_a.manager).get("/").content.decode()
    client.logout()
    assert 'id="nav-impact"' not in login(client, tenant_a.agent).get("/").content.decode()


@pytest.mark.parametrize(("control", "said"), [(1, "1 control case"), (3, "3 control cases")])
def test_the_count_of_cases_agrees_with_its_number(client, tenant_a, control, said):
    """A new administration's first days: "1 control cases" read as a slip."""
    period = make_period(tenant_a)
    answered_cases(tenant_a, period, Arm.ASSISTED, [30])
    answered_cases(tenant_a, period, Arm.CONTROL, [40] * control)
    login(client, tenant_a.manager)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    scope = " ".join(re.search(r'id="impact-scope">(.*?)</p>', html, flags=re.S).group(1).split())
    assert "1 assisted case," in scope
    assert f"{said} ·" in scope


def test_adoption_shares_of_few_drafts_come_with_a_caution(client, tenant_a):
    """ "50 %" of two drafts is one draft: below the comparisons' minimum the page says the
    shares rest on few drafts, and why they may not add up to 100 %."""
    period = make_period(tenant_a)
    adoption_data(tenant_a, period)
    login(client, tenant_a.manager)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    caution = re.search(r'id="adoption-caution">(.*?)</div>', html, flags=re.S)
    assert caution and "Only 8 drafts have been shown so far" in caution.group(1)
    assert "less than 100 %" in caution.group(1)


@pytest.mark.parametrize(
    ("shown", "said"),
    [(0, ""), (1, "Only 1 draft has been shown"), (29, "Only 29 drafts"), (30, "")],
)
def test_the_adoption_caution_stops_at_the_comparisons_minimum(shown, said):
    from django.utils import translation

    from drafting.experiment.impact.verdicts import adoption_caution

    with translation.override("en"):
        caution = adoption_caution({"shown": shown})
    assert (said in caution) if said else caution == ""
