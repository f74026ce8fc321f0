"""The impact report's per-period rollups and the facts' volunteer flag: kept exact by PostgreSQL
triggers whatever changes the facts (cases, arms, drafts, surveys, enrolments, deletes,
anonymisation), and giving the same report as the facts."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from accounts.models import Enrolment, Role, User
from cases.models import Case, Channel, SatisfactionResponse
from cases.retention.services import cases_anonymise
from devtools.bench import bulkdata, bulkstaff
from drafting.experiment import services as experiment_services
from drafting.experiment.impact import facts as impact_facts
from drafting.experiment.impact import selectors as impact
from drafting.experiment.impact.filters import ImpactFilters, periods_of
from drafting.experiment.impact.rollups import use_rollups
from drafting.models import (
    CaseArm,
    ImpactAdoptionRollup,
    ImpactCase,
    ImpactDraft,
    ImpactHandlingRollup,
    ImpactLatencyRollup,
    ImpactSatisfactionRollup,
    Suggestion,
)
from tests.drafting.test_impact_facts import assert_same
from tests.factories import make_case, make_member, make_topic

pytestmark = pytest.mark.django_db

N = Decimal("1e-15")
# The adoption rollup's key within an administration, as its unique constraint declares it.
ADOPTION_KEY = tuple(ImpactAdoptionRollup._meta.constraints[0].fields[1:])


def numeric(value: float) -> Decimal:
    """PostgreSQL's float8 → numeric(40, 15): 15 significant digits, then 15 decimals."""
    return Decimal(f"{value:.15g}").quantize(N)


def volunteers_by_rule(administration) -> set[int]:
    """The cases the report's read-time rule counts as answered by a volunteer."""
    rule = impact._answered_by_volunteer(administration)
    return set(
        ImpactCase.objects.filter(administration_id=administration.pk)
        .filter(rule)
        .values_list("case_id", flat=True)
    )


def recomputed(administration) -> dict[str, Counter]:
    """The rollups recomputed from the facts with the ORM (not the SQL of the triggers)."""
    cases = ImpactCase.objects.filter(administration_id=administration.pk).order_by()
    drafts = ImpactDraft.objects.filter(administration_id=administration.pk).order_by()
    result: dict[str, Counter] = {name: Counter() for name in ("h", "s", "a", "l")}
    for row in cases.values("period_id", "arm", "volunteer", "handling_bucket", "handling_seconds"):
        measured = row["handling_bucket"] is not None
        key = (row["period_id"], row["arm"], row["volunteer"] and measured, row["handling_bucket"])
        result["h"][(*key, "n")] += 1
        if row["handling_seconds"] is not None:
            seconds = numeric(row["handling_seconds"])
            result["h"][(*key, "s")] += seconds
    for row in cases.filter(rating__isnull=False).values(
        "period_id", "arm", "rating", "survey_answered"
    ):
        result["s"][tuple(row.values())] += 1
    for row in drafts.values():
        key = tuple(row[k] for k in ADOPTION_KEY)
        edited = row["was_shown"] and row["decision"] == "edited"
        result["a"][(*key, "drafts")] += 1
        result["a"][(*key, "ready")] += row["status"] == "ready"
        result["a"][(*key, "failed")] += row["status"] == "failed"
        result["a"][(*key, "fell_back")] += row["fell_back"]
        result["a"][(*key, "shown")] += row["was_shown"]
        if edited and row["similarity"] is not None:
            result["a"][(*key, "similarity_n")] += 1
            result["a"][(*key, "similarity_sum")] += numeric(row["similarity"])
        result["a"][(*key, "prompt_tokens")] += row["prompt_tokens"] or 0
        result["a"][(*key, "completion_tokens")] += row["completion_tokens"] or 0
        if row["status"] == "ready" and row["latency_ms"] is not None:
            result["l"][
                (row["period_id"], row["backend"], row["model_name"], row["latency_ms"])
            ] += 1
    return {name: +counter for name, counter in result.items()}  # zero counts dropped


def stored(administration) -> dict[str, Counter]:
    result: dict[str, Counter] = {name: Counter() for name in ("h", "s", "a", "l")}
    mine = {"administration_id": administration.pk}
    for row in ImpactHandlingRollup.objects.filter(**mine).values():
        key = (row["period_id"], row["arm"], row["volunteer"], row["handling_bucket"])
        result["h"][(*key, "n")] += row["cases"]
        result["h"][(*key, "s")] += row["seconds"]
    for row in ImpactSatisfactionRollup.objects.filter(**mine).values():
        key = (row["period_id"], row["arm"], row["rating"], row["survey_answered"])
        result["s"][key] += row["responses"]
    for row in ImpactAdoptionRollup.objects.filter(**mine).values():
        key = tuple(row[k] for k in ADOPTION_KEY)
        for name in (
            "drafts",
            "ready",
            "failed",
            "fell_back",
            "shown",
            "similarity_n",
            "similarity_sum",
            "prompt_tokens",
            "completion_tokens",
        ):
            result["a"][(*key, name)] += row[name]
    for row in ImpactLatencyRollup.objects.filter(**mine).values():
        key = (row["period_id"], row["backend"], row["model_name"], row["latency_ms"])
        result["l"][key] += row["drafts"]
    return {name: +counter for name, counter in result.items()}


def report_variants(administration) -> list[ImpactFilters]:
    periods = list(periods_of(administration))
    variants = [ImpactFilters(administration=administration)]
    variants += [ImpactFilters(administration=administration, period=p) for p in periods]
    variants.append(
        ImpactFilters(
            administration=administration,
            backend=periods[-1].backend,
            model_name=periods[-1].model_name,
        )
    )
    return variants


def assert_consistent(administration, settings) -> None:
    # The flag is the read-time rule, exactly.
    flagged = set(
        ImpactCase.objects.filter(administration_id=administration.pk, volunteer=True).values_list(
            "case_id", flat=True
        )
    )
    assert flagged == volunteers_by_rule(administration)
    # The facts match their sources, the rollups their facts (SQL rebuild and ORM recount).
    assert impact_facts.differences(administration.pk) == 0
    assert impact_facts.rollup_differences(administration.pk) == 0
    assert stored(administration) == recomputed(administration)
    assert not ImpactHandlingRollup.objects.filter(cases__lte=0).exists()
    assert not ImpactAdoptionRollup.objects.filter(drafts__lte=0).exists()
    # The report from the rollups is the report from the facts.
    for filters in report_variants(administration):
        settings.IMPACT_REPORT_ROLLUPS = True
        assert use_rollups(filters)
        from_rollups = impact.impact_report(filters)
        settings.IMPACT_REPORT_ROLLUPS = False
        assert not use_rollups(filters)
        from_facts = impact.impact_report(filters)
        for report in (from_rollups, from_facts):
            report.pop("computed_at")
        assert_same(from_rollups, from_facts, f"{filters}")
    settings.IMPACT_REPORT_ROLLUPS = True


class World:
    """Random changes of one administration's experiment, through services and plain updates."""

    def __init__(self, rng: random.Random, tenant) -> None:
        self.rng = rng
        self.administration = tenant.administration
        self.agents: list[User] = [tenant.agent, tenant.agent2] + [
            make_member(self.administration, Role.AGENT) for _ in range(3)
        ]
        self.topics = [make_topic(self.administration, f"Sujet {i}") for i in range(3)]
        self.base = timezone.now() - dt.timedelta(days=40)
        self.cases: list[int] = []

    def moment(self, days: float = 30) -> dt.datetime:
        return self.base + dt.timedelta(seconds=self.rng.uniform(0, days * 86400))

    def new_cases(self, count: int) -> None:
        for _ in range(count):
            case = make_case(
                self.administration,
                channel=self.rng.choice([Channel.EMAIL, Channel.PHONE]),
                topic=self.rng.choice([*self.topics, None]),
            )
            experiment_services.case_arm_assign(case=case)
            self.cases.append(case.pk)

    def some_cases(self, k: int = 1) -> list[int]:
        return self.rng.sample(self.cases, min(k, len(self.cases)))

    # --- the changes ---

    def assign(self) -> None:
        agent = self.rng.choice([*self.agents, None])
        Case.objects.filter(pk__in=self.some_cases(self.rng.randint(1, 4))).update(assignee=agent)

    def answer(self) -> None:
        for pk in self.some_cases(self.rng.randint(1, 6)):
            opened = self.moment()
            # A few answers come before the opening (no handling time), some are long.
            seconds = self.rng.choice(
                [self.rng.uniform(-600, 0), self.rng.uniform(0, 3600), self.rng.uniform(0, 9e5)]
            )
            Case.objects.filter(pk=pk).update(
                assignee=self.rng.choice(self.agents),
                first_opened_at=opened,
                answered_at=opened + dt.timedelta(seconds=seconds),
            )

    def reopen(self) -> None:
        Case.objects.filter(pk__in=self.some_cases(2)).update(answered_at=None)

    def draft(self) -> None:
        pk = self.rng.choice(self.cases)
        case = Case.objects.get(pk=pk)
        status = self.rng.choice(["pending", "ready", "ready", "ready", "failed"])
        decision = self.rng.choice(["", "accepted", "edited", "discarded"])
        last = Suggestion.objects.filter(case=case).aggregate(n=Max("sequence"))["n"] or 0
        Suggestion.objects.create(
            case=case,
            sequence=last + 1,
            administration_id=case.administration_id,
            status=status,
            backend=self.rng.choice(["openai", "offline"]),
            model_name=self.rng.choice(["albert", ""]),
            latency_ms=self.rng.choice([None, self.rng.randint(50, 80) * 10]),
            decision=decision if status == "ready" else "",
            discard_reason="tone" if decision == "discarded" and status == "ready" else "",
            shown_at=self.moment() if status == "ready" and self.rng.random() < 0.8 else None,
            similarity=self.rng.random() if decision == "edited" else None,
            fell_back=self.rng.random() < 0.2,
            prompt_tokens=self.rng.choice([None, self.rng.randint(100, 900)]),
            completion_tokens=self.rng.choice([None, self.rng.randint(10, 300)]),
            text="Madame, Monsieur, …",
        )

    def draft_change(self) -> None:
        drafts = list(
            Suggestion.objects.filter(case_id__in=self.cases).values_list("pk", flat=True)
        )
        if not drafts:
            return
        chosen = self.rng.sample(drafts, min(3, len(drafts)))
        action = self.rng.choice(["decide", "show", "fail", "delete"])
        rows = Suggestion.objects.filter(pk__in=chosen)
        if action == "decide":
            rows.update(status="ready", decision="edited", similarity=self.rng.random())
        elif action == "show":
            rows.update(shown_at=self.moment(), latency_ms=self.rng.randint(5, 9) * 100)
        elif action == "fail":
            rows.update(status="failed", decision="", shown_at=None)
        else:
            rows.delete()

    def survey(self) -> None:
        for pk in self.some_cases(3):
            case = Case.objects.get(pk=pk)
            rating = self.rng.randint(1, 5)
            answered = self.rng.choice(["yes", "partly", "no"])
            if SatisfactionResponse.objects.filter(case=case).exists():
                if self.rng.random() < 0.3:
                    SatisfactionResponse.objects.filter(case=case).delete()
                else:
                    SatisfactionResponse.objects.filter(case=case).update(rating=rating)
            else:
                SatisfactionResponse.objects.create(
                    case=case,
                    administration_id=case.administration_id,
                    rating=rating,
                    answered=answered,
                )

    def enrol(self) -> None:
        """Approve, withdraw (before or after answers), re-enrol, refuse or delete."""
        user = self.rng.choice(self.agents)
        mine = Enrolment.objects.filter(user=user, administration=self.administration)
        live = mine.filter(status__in=Enrolment.LIVE).first()
        action = self.rng.random()
        if live is None and action < 0.6:
            Enrolment.objects.create(
                user=user,
                administration=self.administration,
                status=self.rng.choice(["approved", "approved", "requested"]),
                consented_at=self.moment(),
            )
        elif live is not None and live.status == "requested":
            mine.filter(pk=live.pk).update(status=self.rng.choice(["approved", "refused"]))
        elif live is not None and action < 0.8:
            mine.filter(pk=live.pk).update(status="withdrawn", withdrawn_at=self.moment(45))
        elif action < 0.9:
            # A withdrawal moved (an administrator's correction): before or after answers.
            mine.filter(status="withdrawn").update(withdrawn_at=self.moment(45))
        else:
            doomed = mine.order_by("?").first()
            if doomed is not None:
                Enrolment.objects.filter(pk=doomed.pk).delete()

    def arm_change(self) -> None:
        pk = self.rng.choice(self.cases)
        if self.rng.random() < 0.5:
            CaseArm.objects.filter(case_id=pk).delete()
        else:
            CaseArm.objects.filter(case_id=pk).update(arm=self.rng.choice(["assisted", "control"]))

    def anonymise(self) -> None:
        cases_anonymise(case_ids=self.some_cases(3))

    def step(self) -> None:
        self.rng.choice(
            [
                self.assign,
                self.answer,
                self.answer,
                self.reopen,
                self.draft,
                self.draft,
                self.draft_change,
                self.survey,
                self.enrol,
                self.enrol,
                self.arm_change,
                self.anonymise,
            ]
        )()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_keep_the_flag_and_the_rollups_exact(tenant_a, settings, seed):
    world = World(random.Random(seed), tenant_a)
    experiment_services.experiment_start(
        actor=None,
        administration=world.administration,
        assisted_share="0.5",
        backend="openai",
        model_name="albert",
    )
    world.new_cases(25)
    experiment_services.experiment_start(
        actor=None, administration=world.administration, assisted_share="0.5", backend="offline"
    )
    world.new_cases(25)
    for _round in range(4):
        for _ in range(30):
            world.step()
        assert_consistent(world.administration, settings)
    # The run was not trivial: volunteers' measured cases, shown drafts and survey answers.
    assert ImpactHandlingRollup.objects.filter(
        volunteer=True, handling_bucket__isnull=False
    ).exists()
    assert ImpactAdoptionRollup.objects.filter(shown__gt=0).exists()
    assert ImpactSatisfactionRollup.objects.exists()


def test_an_enrolment_change_moves_its_agents_cases_in_and_out_of_the_comparison(tenant_a):
    administration = tenant_a.administration
    agent = make_member(administration, Role.AGENT)
    experiment_services.experiment_start(
        actor=None, administration=administration, assisted_share="1", backend="openai"
    )
    answered = timezone.now() - dt.timedelta(days=2)
    cases = [make_case(administration) for _ in range(2)]
    for case in cases:
        experiment_services.case_arm_assign(case=case)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        assignee=agent,
        first_opened_at=answered - dt.timedelta(minutes=10),
        answered_at=answered,
    )

    def measured() -> int:
        return (
            ImpactHandlingRollup.objects.filter(
                volunteer=True, handling_bucket__isnull=False
            ).aggregate(n=Sum("cases"))["n"]
            or 0
        )

    assert measured() == 0
    enrolment = Enrolment.objects.create(
        user=agent,
        administration=administration,
        status="approved",
        consented_at=answered,
    )
    assert measured() == 2
    # Withdrawn after the answers: still counted; before them: no longer.
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status="withdrawn", withdrawn_at=answered + dt.timedelta(hours=1)
    )
    assert measured() == 2
    Enrolment.objects.filter(pk=enrolment.pk).update(withdrawn_at=answered - dt.timedelta(hours=1))
    assert measured() == 0
    # A second enrolment, withdrawn later: any withdrawal after the answer counts.
    Enrolment.objects.create(
        user=agent,
        administration=administration,
        status="withdrawn",
        consented_at=answered,
        withdrawn_at=answered + dt.timedelta(days=1),
    )
    assert measured() == 2
    Enrolment.objects.filter(user=agent).delete()
    assert measured() == 0
    total = ImpactHandlingRollup.objects.aggregate(n=Sum("cases"))["n"]
    assert total == 2  # the cases stay in their arm's totals


# --- generated data: back-fill, rebuild command, enough cases for the intervals ------------


@pytest.fixture
def generated(db):
    bulkdata.generate(cases=3_000, administrations=2, seed=0.3)
    return bulkstaff.bulk_administrations(2)


def test_the_generated_rollups_give_the_facts_report_and_survive_a_rebuild(generated, settings):
    assert ImpactCase.objects.filter(volunteer=True).exists()
    for administration in generated:
        assert_consistent(administration, settings)
    full = impact.impact_report(ImpactFilters(administration=generated[0]))
    assert full["handling_time"]["enough_cases"]
    assert full["handling_time"]["difference_ci"] is not None
    # An agent with many answered cases withdraws in the middle of the year.
    agent_id = (
        ImpactCase.objects.filter(administration_id=generated[0].pk, volunteer=True)
        .values("assignee_id")
        .annotate(n=Count("*"))
        .order_by("-n")[0]["assignee_id"]
    )
    middle = ImpactCase.objects.filter(assignee_id=agent_id, answered_at__isnull=False).order_by(
        "answered_at"
    )
    middle = middle[middle.count() // 2].answered_at
    Enrolment.objects.filter(user_id=agent_id, status="approved").update(
        status="withdrawn", withdrawn_at=middle
    )
    assert ImpactCase.objects.filter(assignee_id=agent_id, volunteer=False).exists()
    assert_consistent(generated[0], settings)

    # A rollup restored wrong is found, and the command rebuilds it.
    before = stored(generated[0])
    ImpactHandlingRollup.objects.filter(administration_id=generated[0].pk).update(
        cases=F("cases") + 1
    )
    ImpactLatencyRollup.objects.filter(administration_id=generated[1].pk).delete()
    with pytest.raises(Exception, match="stale"):
        call_command("refresh_impact_facts", "--check")
    call_command("refresh_impact_facts")
    call_command("refresh_impact_facts", "--check")
    assert stored(generated[0]) == before


# --- concurrency: an enrolment change and a refresh of the same administration --------------


def _in_thread(work, started: threading.Event, hold: float) -> threading.Thread:
    """Run ``work`` in its own transaction on its own connection, signal once it has written,
    and keep the transaction open ``hold`` seconds before committing."""

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                started.set()
                time.sleep(hold)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["enrolment", "answer"])
def test_an_enrolment_change_and_an_answer_in_flight_take_turns(tenant_a, first):
    """Whichever commits first, the flag ends as the rule says: the advisory lock makes the
    second wait, and its statements then see what the first committed."""
    administration = tenant_a.administration
    agent = make_member(administration, Role.AGENT)
    experiment_services.experiment_start(
        actor=None, administration=administration, assisted_share="1", backend="openai"
    )
    case = make_case(administration)
    experiment_services.case_arm_assign(case=case)
    enrolment = Enrolment.objects.create(
        user=agent, administration=administration, status="requested", consented_at=timezone.now()
    )
    answered = timezone.now()

    def approve() -> None:
        Enrolment.objects.filter(pk=enrolment.pk).update(status="approved")

    def answer() -> None:
        Case.objects.filter(pk=case.pk).update(
            assignee=agent, first_opened_at=answered - dt.timedelta(minutes=5), answered_at=answered
        )

    started = threading.Event()
    thread = _in_thread(approve if first == "enrolment" else answer, started, hold=1.0)
    assert started.wait(10)
    with transaction.atomic():
        (answer if first == "enrolment" else approve)()
    thread.join(10)
    assert ImpactCase.objects.get(case_id=case.pk).volunteer
    assert volunteers_by_rule(administration) == {case.pk}
    assert impact_facts.rollup_differences(administration.pk) == 0
