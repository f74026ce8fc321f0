"""The bulk generator on a small volume: counts and the invariants the reports rely on."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count, Exists, F, OuterRef, Q

from cases.models import OPEN_STATUSES, Case, Reply, SatisfactionResponse, Status, Topic
from devtools.bench import bulkdata, bulkrows, bulkstaff
from drafting.models import CaseArm, ExperimentPeriod, Suggestion


@pytest.fixture
def generated(db):
    return bulkdata.generate(cases=2_000, administrations=3, seed=0.1)


def test_counts_and_spread(generated):
    assert generated["cases"] == 2_000
    administrations = bulkstaff.bulk_administrations(3)
    per_administration = [Case.objects.filter(administration=a).count() for a in administrations]
    assert sum(per_administration) == 2_000
    assert per_administration == sorted(per_administration, reverse=True)
    assert per_administration == bulkstaff.sizes(2_000, 3)
    assert CaseArm.objects.count() == 2_000
    assert generated["replies"] == Reply.objects.count()
    assert Case.objects.filter(status__in=OPEN_STATUSES).exists()
    assert Case.objects.filter(status=Status.CLOSED).exists()
    # Two periods each, one running.
    for administration in administrations:
        periods = ExperimentPeriod.objects.filter(administration=administration)
        assert periods.count() == 2
        assert periods.filter(ended_at__isnull=True).count() == 1


def test_case_invariants(generated):
    assert not Case.objects.filter(
        ~Q(status=Status.NEW) & ~Q(status=Status.CLOSED), assignee__isnull=True
    ).exists()
    assert not Case.objects.filter(status=Status.NEW, assignee__isnull=False).exists()
    assert not Case.objects.filter(answered_at__lt=F("created_at")).exists()
    assert not Case.objects.filter(first_opened_at__lt=F("assigned_at")).exists()
    assert not Case.objects.filter(due_at__lte=F("created_at")).exists()
    answered = Case.objects.filter(status__in=[Status.ANSWERED, Status.CLOSED])
    assert not answered.filter(answered_at__isnull=True).exists()
    assert not Case.objects.filter(status__in=OPEN_STATUSES, answered_at__isnull=False).exists()
    # Every answered case has exactly one reply, by its agent, sent when it was answered.
    assert Reply.objects.count() == answered.count()
    assert not Reply.objects.exclude(author=F("case__assignee")).exists()
    assert not Reply.objects.exclude(created_at=F("case__answered_at")).exists()
    # Written without per-row foreign-key checks: every reference must still hold.
    from accounts.models import Membership

    assert (
        not Case.objects.filter(assignee__isnull=False)
        .exclude(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("assignee"), administration=OuterRef("administration")
                )
            )
        )
        .exists()
    )
    assert (
        not Case.objects.exclude(Exists(Topic.objects.filter(pk=OuterRef("topic"))))
        .filter(topic__isnull=False)
        .exists()
    )
    assert not Suggestion.objects.exclude(Exists(Case.objects.filter(pk=OuterRef("case")))).exists()
    assert (
        not Suggestion.objects.filter(reply__isnull=False)
        .exclude(Exists(Reply.objects.filter(pk=OuterRef("reply"), case=OuterRef("case"))))
        .exists()
    )
    references = Case.objects.values("administration", "reference").annotate(n=Count("pk"))
    assert not references.filter(n__gt=1).exists()


def test_experiment_invariants(generated):
    arms = dict(CaseArm.objects.values_list("arm").annotate(n=Count("pk")))
    assert 0.4 < arms["assisted"] / 2_000 < 0.6
    # Arms belong to a period of the case's own administration that covers its creation.
    assert not CaseArm.objects.exclude(period__administration=F("case__administration")).exists()
    assert not CaseArm.objects.filter(case__created_at__lt=F("period__started_at")).exists()
    # Suggestions only on assisted cases, one each.
    assert Suggestion.objects.count() == arms["assisted"]
    assert not Suggestion.objects.filter(case__arm__arm="control").exists()
    decided = Suggestion.objects.exclude(decision="")
    assert decided.filter(decision="accepted").exists()
    assert decided.filter(decision="edited").exists()
    assert decided.filter(decision="discarded").exists()
    assert not decided.filter(decision="discarded", discard_reason="").exists()
    assert not decided.filter(shown_at__isnull=True).exists()
    assert not decided.exclude(case__status__in=[Status.ANSWERED, Status.CLOSED]).exists()
    assert not decided.filter(decision__in=["accepted", "edited"], reply__isnull=True).exists()
    assert not Suggestion.objects.filter(status="ready", latency_ms__isnull=True).exists()
    assert not Suggestion.objects.filter(status="failed").exclude(decision="").exists()


def test_assisted_cases_of_volunteers_are_handled_faster(generated):
    from django.db.models import Avg, DurationField, ExpressionWrapper

    handling = ExpressionWrapper(F("answered_at") - F("first_opened_at"), DurationField())
    shown = Case.objects.filter(suggestions__shown_at__isnull=False, answered_at__isnull=False)
    control = Case.objects.filter(arm__arm="control", answered_at__isnull=False)
    assisted_mean = shown.aggregate(v=Avg(handling))["v"]
    control_mean = control.aggregate(v=Avg(handling))["v"]
    assert assisted_mean < control_mean


def test_survey_answers_are_one_per_answered_case_with_an_address(generated):
    assert generated["survey"] == SatisfactionResponse.objects.count() > 0
    assert not SatisfactionResponse.objects.filter(case__usager_email="").exists()
    assert not SatisfactionResponse.objects.exclude(
        case__status__in=[Status.ANSWERED, Status.CLOSED]
    ).exists()
    assert not SatisfactionResponse.objects.exclude(
        administration=F("case__administration")
    ).exists()
    assert not SatisfactionResponse.objects.filter(rating__gte=4).exclude(answered="yes").exists()


def test_existing_cases_are_not_duplicated(generated):
    # A second run resumes: an administration already complete gets nothing more.
    before = Case.objects.count()
    bulkdata.generate(cases=100, administrations=1)
    assert Case.objects.count() == before
    assert bulkdata.reset(3) == 2_000
    assert not Case.objects.exists()
    again = bulkdata.generate(cases=300, administrations=2)
    assert again["cases"] == 300 == Case.objects.count()


def test_bench_reports_times_the_dashboard_through_the_stack(generated):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_reports", repeat=20, warmup=0, national=True, explain=1, stdout=out)
    text = out.getvalue()
    assert "BULK01" in text and "workload dashboard, 30 days" in text
    assert "national staff, all administrations" in text
    assert re.search(
        r"Target \(workload dashboard, 30 days, p95 < 500 ms\): (met|NOT met) "
        r"\(\d+ ms, median \d+ ms\)",
        text,
    )
    assert re.search(r"Target \(impact report, all periods \(cold\), p95 < 500 ms\)", text)
    # PostgreSQL's own time per page, and the plans of the slowest query of each page.
    assert "DB ms" in text
    assert re.search(r"workload dashboard, 90 days: [\d.]+ ms in PostgreSQL", text)
    assert "Execution Time" in text


def test_bench_reports_asks_for_the_data_first(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="generate_bulk_data"):
        call_command("bench_reports")


def test_years_of_history_before_the_experiment(db):
    import datetime as dt

    from django.utils import timezone

    totals = bulkdata.generate(cases=3_000, administrations=2, seed=0.2, years=5)
    assert totals["cases"] == 3_000
    now = timezone.now()
    started = ExperimentPeriod.objects.order_by("started_at").first().started_at
    older = Case.objects.filter(created_at__lt=started)
    # A constant rate over five years: about four cases in five are older than the experiment.
    assert 0.7 < older.count() / 3_000 < 0.9
    assert Case.objects.filter(created_at__lt=now - dt.timedelta(days=4 * 365)).exists()
    # Only the experiment's year has arms and drafts.
    assert not CaseArm.objects.filter(case__created_at__lt=started).exists()
    assert CaseArm.objects.count() == Case.objects.filter(created_at__gte=started).count()
    assert not Suggestion.objects.filter(case__created_at__lt=started).exists()
    # The backlog stays recent: nothing older than BACKLOG_DAYS is still open.
    assert not Case.objects.filter(
        status__in=OPEN_STATUSES,
        created_at__lt=now - dt.timedelta(days=bulkrows.BACKLOG_DAYS + 1),
    ).exists()
    with pytest.raises(ValueError, match="years"):
        bulkdata.generate(cases=10, administrations=1, years=0)
