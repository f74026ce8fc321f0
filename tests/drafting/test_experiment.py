"""The experiment: assisted and control arms drawn per case, frozen configuration periods."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from drafting.experiment import selectors as experiment_selectors
from drafting.experiment import services as experiment_services
from drafting.models import Arm, CaseArm, ExperimentPeriod, Suggestion
from drafting.suggestions import services as suggestion_services
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DRAFTING_BACKEND = "offline"


def new_case(tenant, capture):
    """A case created as intake does it, with what follows the commit (arm, draft) run."""
    with capture(execute=True):
        return make_case(tenant.administration)


# --- the draw -------------------------------------------------------------------------------


def test_the_draw_depends_only_on_seed_and_case():
    assert experiment_services.arm_draw("graine", 42) == experiment_services.arm_draw("graine", 42)
    assert 0 <= experiment_services.arm_draw("graine", 42) < 1
    draws_a = [experiment_services.arm_draw("graine", i) for i in range(50)]
    draws_b = [experiment_services.arm_draw("autre-graine", i) for i in range(50)]
    assert draws_a != draws_b
    assert len(set(draws_a)) == 50


@pytest.mark.parametrize("seed", ["graine", "0f3a9c1d2e4b5a69", "période-2026"])
def test_the_draw_matches_the_configured_share(seed):
    draws = [experiment_services.arm_draw(seed, case_id) for case_id in range(1, 2001)]
    assisted = sum(draw < 0.5 for draw in draws) / len(draws)
    assert 0.45 <= assisted <= 0.55
    assert 0.15 <= sum(draw < 0.2 for draw in draws) / len(draws) <= 0.25


# --- arms of new cases ----------------------------------------------------------------------


def test_a_case_created_during_an_experiment_gets_its_arm(
    tenant_a, django_capture_on_commit_callbacks
):
    period = experiment_services.experiment_start(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        assisted_share="0.5",
        seed="graine",
    )
    cases = [new_case(tenant_a, django_capture_on_commit_callbacks) for _ in range(8)]
    for case in cases:
        case_arm = CaseArm.objects.get(case=case)
        assert case_arm.period == period
        assert case_arm.draw == experiment_services.arm_draw("graine", case.pk)
        expected = Arm.ASSISTED if case_arm.draw < 0.5 else Arm.CONTROL
        assert case_arm.arm == expected
        assert Suggestion.objects.filter(case=case).exists() == (expected == Arm.ASSISTED)
        # A redelivered event draws nothing new.
        assert experiment_services.case_arm_assign(case=case) == case_arm
        suggestion_services.suggestion_create_for_new_case(case_id=case.pk)
        assert CaseArm.objects.filter(case=case).count() == 1
        assert Suggestion.objects.filter(case=case).count() == (expected == Arm.ASSISTED)


def test_control_cases_get_no_suggestion(tenant_a, django_capture_on_commit_callbacks):
    experiment_services.experiment_start(
        actor=tenant_a.administrator, administration=tenant_a.administration, assisted_share=0
    )
    case = new_case(tenant_a, django_capture_on_commit_callbacks)
    assert case.arm.arm == Arm.CONTROL
    assert not Suggestion.objects.filter(case=case).exists()
    assert not experiment_selectors.case_gets_drafts(case)
    with pytest.raises(ValidationError):
        suggestion_services.suggestion_request(actor=tenant_a.manager, case=case)
    assert not Suggestion.objects.filter(case=case).exists()


def test_assisted_cases_get_a_suggestion(tenant_a, django_capture_on_commit_callbacks):
    experiment_services.experiment_start(
        actor=tenant_a.administrator, administration=tenant_a.administration, assisted_share=1
    )
    case = new_case(tenant_a, django_capture_on_commit_callbacks)
    assert case.arm.arm == Arm.ASSISTED
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == Suggestion.Status.READY
    assert suggestion.sequence == 1


def test_without_an_experiment_every_case_gets_a_suggestion(
    tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    # B's experiment does not concern A's cases.
    experiment_services.experiment_start(
        actor=tenant_b.administrator, administration=tenant_b.administration, assisted_share=0
    )
    cases = [new_case(tenant_a, django_capture_on_commit_callbacks) for _ in range(3)]
    for case in cases:
        assert not CaseArm.objects.filter(case=case).exists()
        assert Suggestion.objects.get(case=case).status == Suggestion.Status.READY


def test_a_stopped_experiment_draws_no_more_arms(tenant_a, django_capture_on_commit_callbacks):
    experiment_services.experiment_start(
        actor=tenant_a.administrator, administration=tenant_a.administration, assisted_share=0
    )
    assert (
        experiment_services.experiment_stop(
            actor=tenant_a.administrator, administration=tenant_a.administration
        )
        == 1
    )
    case = new_case(tenant_a, django_capture_on_commit_callbacks)
    assert not CaseArm.objects.filter(case=case).exists()
    assert Suggestion.objects.filter(case=case).exists()


# --- periods --------------------------------------------------------------------------------


def test_starting_a_new_period_ends_the_running_one(
    tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    first = experiment_services.experiment_start(
        actor=tenant_a.administrator, administration=tenant_a.administration, assisted_share=0
    )
    early = new_case(tenant_a, django_capture_on_commit_callbacks)
    other = experiment_services.experiment_start(
        actor=tenant_b.administrator, administration=tenant_b.administration, assisted_share=1
    )
    second = experiment_services.experiment_start(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        assisted_share="0.25",
        backend="offline",
    )
    late = new_case(tenant_a, django_capture_on_commit_callbacks)

    first.refresh_from_db()
    assert first.ended_at is not None
    assert first.ended_at == second.started_at
    assert second.ended_at is None
    assert second.assisted_share == Decimal("0.250")
    assert second.started_by == tenant_a.administrator
    assert ExperimentPeriod.objects.filter(administration=tenant_a.administration).count() == 2
    assert (
        ExperimentPeriod.objects.filter(
            administration=tenant_a.administration, ended_at__isnull=True
        ).get()
        == second
    )
    assert experiment_selectors.running_period(tenant_a.administration.pk) == second
    # Another administration's period is left alone.
    assert experiment_selectors.running_period(tenant_b.administration.pk) == other
    # Cases keep the period they were drawn in.
    assert early.arm.period == first
    assert CaseArm.objects.get(case=late).period == second


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_only_administrators_start_or_stop_an_experiment(tenant_a, role):
    actor = getattr(tenant_a, role)
    with pytest.raises(PermissionDenied):
        experiment_services.experiment_start(
            actor=actor, administration=tenant_a.administration, assisted_share="0.5"
        )
    assert not ExperimentPeriod.objects.exists()
    period = experiment_services.experiment_start(
        actor=tenant_a.administrator, administration=tenant_a.administration, assisted_share="0.5"
    )
    with pytest.raises(PermissionDenied):
        experiment_services.experiment_stop(actor=actor, administration=tenant_a.administration)
    period.refresh_from_db()
    assert period.ended_at is None


def test_an_administrator_of_another_administration_cannot_start_one(tenant_a, tenant_b):
    with pytest.raises(PermissionDenied):
        experiment_services.experiment_start(
            actor=tenant_b.administrator,
            administration=tenant_a.administration,
            assisted_share="0.5",
        )
    assert not ExperimentPeriod.objects.exists()


@pytest.mark.parametrize("share", ["-0.1", "1.01", 2, -1])
def test_a_share_outside_zero_to_one_is_refused(tenant_a, share):
    running = experiment_services.experiment_start(
        actor=tenant_a.administrator, administration=tenant_a.administration, assisted_share="0.5"
    )
    with pytest.raises(ValidationError) as excinfo:
        experiment_services.experiment_start(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            assisted_share=share,
        )
    assert "assisted_share" in excinfo.value.message_dict
    running.refresh_from_db()
    assert running.ended_at is None
    assert ExperimentPeriod.objects.count() == 1


@pytest.mark.parametrize("share", ["0", "1", "0.5"])
def test_the_bounds_of_the_share_are_accepted(tenant_a, share):
    period = experiment_services.experiment_start(
        actor=tenant_a.administrator, administration=tenant_a.administration, assisted_share=share
    )
    assert period.assisted_share == Decimal(share)


@pytest.mark.parametrize("share", ["abc", "NaN", ""])
def test_a_share_that_is_not_a_number_is_refused_as_invalid_input(tenant_a, share):
    with pytest.raises(ValidationError):
        experiment_services.experiment_start(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            assisted_share=share,
        )
    assert not ExperimentPeriod.objects.exists()
