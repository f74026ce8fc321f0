"""The impact report's fact tables: kept by the database in the same transaction as every change,
written by the bulk generator, rewritten by ``refresh_impact_facts``, and giving the same report
as the source tables."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from cases import services as case_services
from cases.models import Channel
from cases.reporting.sql import PercentileCont
from cases.survey import satisfaction_record
from devtools.bench import bulkdata, bulkstaff
from drafting.experiment import services as experiment_services
from drafting.experiment.impact import selectors as impact
from drafting.experiment.impact.filters import ImpactFilters, periods_of, use_facts
from drafting.models import CaseArm, ImpactCase, ImpactDraft, Suggestion
from drafting.suggestions import services as suggestion_services
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def fact(case) -> ImpactCase | None:
    return ImpactCase.objects.filter(case_id=case.pk).first()


def rows(model) -> set[tuple]:
    columns = [f.attname for f in model._meta.concrete_fields]
    return set(model.objects.values_list(*columns))


def assert_same(left, right, path="report"):
    """Equal, floats to 1e-9 relative (sums may be added in another order)."""
    if isinstance(left, float) and isinstance(right, float):
        assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9), path
    elif isinstance(left, dict):
        assert isinstance(right, dict) and set(left) == set(right), path
        for key in left:
            assert_same(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list | tuple):
        assert isinstance(right, list | tuple) and len(left) == len(right), path
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same(a, b, f"{path}[{index}]")
    else:
        assert left == right, path


# --- maintenance through the services -------------------------------------------------------


def test_a_case_fact_follows_the_arm_the_agent_the_reply_and_the_survey(tenant_a):
    administration = tenant_a.administration
    period = experiment_services.experiment_start(
        actor=None, administration=administration, assisted_share="1", backend="openai"
    )
    case = make_case(administration, channel=Channel.PHONE)
    assert fact(case) is None  # not in the experiment yet

    experiment_services.case_arm_assign(case=case)
    row = fact(case)
    assert (row.administration_id, row.period_id, row.arm) == (
        administration.pk,
        period.pk,
        "assisted",
    )
    assert (row.channel, row.assignee_id, row.answered_at, row.handling_seconds) == (
        Channel.PHONE,
        None,
        None,
        None,
    )

    case = case_services.case_take(actor=tenant_a.agent, case=case)
    assert fact(case).assignee_id == tenant_a.agent.pk
    case = case_services.case_mark_opened(actor=tenant_a.agent, case=case)
    assert fact(case).first_opened_at == case.first_opened_at

    # A draft: its row carries the case's period, channel and topic.
    draft = Suggestion.objects.create(
        case=case,
        administration=administration,
        status=Suggestion.Status.READY,
        backend="openai",
        model_name="albert",
        latency_ms=1200,
        text="Madame, Monsieur, …",
    )
    draft_row = ImpactDraft.objects.get(suggestion_id=draft.pk)
    assert (draft_row.period_id, draft_row.channel, draft_row.was_shown) == (
        period.pk,
        Channel.PHONE,
        False,
    )
    suggestion_services.suggestion_mark_shown(actor=tenant_a.agent, suggestion=draft)
    assert ImpactDraft.objects.get(suggestion_id=draft.pk).was_shown
    suggestion_services.suggestion_discard(
        actor=tenant_a.agent, suggestion=draft, reason=Suggestion.DiscardReason.TONE
    )
    draft_row = ImpactDraft.objects.get(suggestion_id=draft.pk)
    assert (draft_row.decision, draft_row.discard_reason) == ("discarded", "tone")

    case.refresh_from_db()
    case_services.case_send_reply(actor=tenant_a.agent, case=case, body="Voici la réponse.")
    case.refresh_from_db()
    row = fact(case)
    assert row.answered_at == case.answered_at
    expected = (case.answered_at - case.first_opened_at).total_seconds()
    assert row.handling_seconds == pytest.approx(expected, abs=1e-6)
    assert row.rating is None

    satisfaction_record(case=case, rating=4, answered="partly")
    row = fact(case)
    assert (row.rating, row.survey_answered) == (4, "partly")

    # Deleting the draft or the arm takes the facts with it.
    Suggestion.objects.filter(pk=draft.pk).delete()
    assert not ImpactDraft.objects.filter(case_id=case.pk).exists()
    CaseArm.objects.filter(case=case).delete()
    assert fact(case) is None


def test_bulk_updates_and_answers_before_the_first_opening_are_kept_exactly(tenant_a):
    administration = tenant_a.administration
    experiment_services.experiment_start(
        actor=None, administration=administration, assisted_share="0", backend="offline"
    )
    cases = [make_case(administration) for _ in range(3)]
    for case in cases:
        experiment_services.case_arm_assign(case=case)
    now = timezone.now()
    # One statement for several cases (a queryset update): every row follows.
    type(cases[0]).objects.filter(pk__in=[c.pk for c in cases]).update(
        first_opened_at=now, answered_at=now + dt.timedelta(minutes=5)
    )
    assert [fact(c).handling_seconds for c in cases] == [300.0, 300.0, 300.0]
    # Answered before it was opened: no handling time, as in the source-table query.
    type(cases[0]).objects.filter(pk=cases[0].pk).update(answered_at=now - dt.timedelta(hours=1))
    assert fact(cases[0]).handling_seconds is None
    assert {fact(c).arm for c in cases} == {"control"}


# --- generated data: generator, backfill, and the same report from both sources -------------


@pytest.fixture
def generated(db):
    bulkdata.generate(cases=3_000, administrations=2, seed=0.3)
    return bulkstaff.bulk_administrations(2)


def test_the_generator_writes_the_facts_and_the_backfill_reproduces_them(generated):
    arms = CaseArm.objects.filter(case__administration__in=generated).count()
    assert ImpactCase.objects.count() == arms == 3_000
    assert ImpactDraft.objects.count() == Suggestion.objects.count() > 0
    assert ImpactCase.objects.filter(rating__isnull=False).exists()
    before_cases, before_drafts = rows(ImpactCase), rows(ImpactDraft)

    call_command("refresh_impact_facts", "--check")  # nothing stale
    ImpactCase.objects.all().delete()
    ImpactDraft.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("refresh_impact_facts", "--check")
    call_command("refresh_impact_facts")
    assert rows(ImpactCase) == before_cases
    assert rows(ImpactDraft) == before_drafts

    ImpactCase.objects.filter(pk=ImpactCase.objects.order_by("pk").first().pk).update(rating=5)
    with pytest.raises(CommandError):
        call_command("refresh_impact_facts", "--check")


def test_the_report_from_the_facts_equals_the_report_from_the_source_tables(generated, settings):
    checked = 0
    for administration in generated:
        periods = list(periods_of(administration))
        topic = (
            ImpactCase.objects.filter(administration_id=administration.pk)
            .values("topic_id")
            .annotate(n=Count("pk"))
            .order_by("-n")[0]["topic_id"]
        )
        variants = [
            {"period": None},
            *({"period": p} for p in periods),
            {"period": None, "channel": Channel.EMAIL},
            {"period": periods[0], "topic_id": topic},
            {"period": None, "backend": periods[0].backend, "model_name": periods[0].model_name},
            {"period": periods[0], "backend": "no-such-backend"},
        ]
        for variant in variants:
            filters = ImpactFilters(administration=administration, **variant)
            settings.IMPACT_REPORT_FACTS = True
            assert use_facts()
            from_facts = impact.impact_report(filters)
            settings.IMPACT_REPORT_FACTS = False
            from_sources = impact.impact_report(filters)
            for report in (from_facts, from_sources):
                report.pop("computed_at")
            assert_same(from_facts, from_sources, f"{administration.code} {variant}")
            checked += 1
    assert checked == 14
    # The generated data is not trivial: the comparison covered real figures.
    full = impact.impact_report(ImpactFilters(administration=generated[0]))
    assert full["handling_time"]["enough_cases"]
    assert full["adoption"]["overall"]["shown"] > 0
    assert full["satisfaction"]["assisted"]["responses"] > 0


def test_latency_percentiles_equal_postgresql_percentile_cont(generated):
    filters = ImpactFilters(administration=generated[0])
    expected = {
        (row["backend"], row["model_name"]): {key: row[key] for key in ("p50", "p90", "p95")}
        for row in Suggestion.objects.filter(
            administration=generated[0], status=Suggestion.Status.READY, latency_ms__isnull=False
        )
        .order_by()
        .values("backend", "model_name")
        .annotate(
            **{
                f"p{round(q * 100)}": PercentileCont("latency_ms", q)
                for q in impact.LATENCY_PERCENTILES
            }
        )
    }
    assert expected
    assert_same(impact.latency_percentiles(filters), expected)
