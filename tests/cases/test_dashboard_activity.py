"""The dashboard's daily activity (``DailyActivity``, kept by PostgreSQL triggers) against the
cases: after many random writes the table equals a recomputation, and the dashboard's figures
read from it equal the exact ones (counts) or lie within the buckets' tolerance (medians)."""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import statistics
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from cases.dashboard import activity, selectors
from cases.dashboard.scope import Period, Scope
from cases.dashboard.services import (
    daily_activity_differences,
    daily_activity_rebuild,
    daily_activity_time_zone,
)
from cases.models import ActivityKind, Case, Channel, DailyActivity
from tests.factories import make_case, make_topic

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the daily activity is kept on PostgreSQL"
)

CHANNELS = [Channel.EMAIL, Channel.PHONE, Channel.WEB_FORM]


def _bucket(hours: float) -> int:
    """The bucket of a duration as migration 0013 computes it (exact under 47.95 h: integer
    microseconds; the 1 % buckets beyond with the same floating-point formula)."""
    micro = round(abs(hours) * 3_600_000_000)
    if micro < 172_620_000_000:
        bucket = (micro + 180_000_000) // 360_000_000
    else:
        bucket = 480 + math.floor(math.log(micro / 1e6 / 172620.0) / math.log(1.01))
    return -bucket if hours < 0 else bucket


def _hours(end: dt.datetime, start: dt.datetime) -> float:
    return (end - start) / dt.timedelta(hours=1)


def _recomputed() -> dict[tuple, tuple]:
    """The table as it should be, computed in Python from every case."""
    rows: dict[tuple, list] = defaultdict(lambda: [0, 0, Counter(), Counter()])
    for case in Case.objects.all():
        keys = [
            ("a", ""),
            ("c", case.channel),
            ("t", "" if case.topic_id is None else str(case.topic_id)),
        ]
        created = timezone.localtime(case.created_at).date()
        for kind, key in keys:
            rows[(case.administration_id, created, kind, key)][0] += 1
        if case.answered_at is None:
            continue
        answered = timezone.localtime(case.answered_at).date()
        start = case.first_opened_at or case.assigned_at or case.created_at
        first = _bucket(_hours(case.answered_at, case.created_at))
        handling = _bucket(_hours(case.answered_at, start))
        for kind, key in keys:
            row = rows[(case.administration_id, answered, kind, key)]
            row[1] += 1
            row[2][first] += 1
            row[3][handling] += 1
    return {key: (c, a, sorted(f.items()), sorted(h.items())) for key, (c, a, f, h) in rows.items()}


def _table() -> dict[tuple, tuple]:
    return {
        (r.administration_id, r.day, r.kind, r.key): (
            r.created,
            r.answered,
            list(zip(r.first_buckets, r.first_counts, strict=True)),
            list(zip(r.handling_buckets, r.handling_counts, strict=True)),
        )
        for r in DailyActivity.objects.all()
        if r.created or r.answered or r.first_buckets or r.handling_buckets
    }


def _assert_exact() -> None:
    assert daily_activity_differences() == 0
    assert _table() == _recomputed()


class World:
    def __init__(self, tenants, seed: int):
        self.rng = random.Random(seed)
        self.tenants = tenants[:2]
        self.topics = [make_topic(None, f"Thème aléatoire {i}") for i in range(3)] + [None]
        self.now = timezone.now()
        self.serial = 0

    def moment(self) -> dt.datetime:
        # Within 120 days, often a few minutes from a local midnight (the days' edges).
        day = timezone.localdate() - dt.timedelta(days=self.rng.randrange(0, 120))
        midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        if self.rng.random() < 0.3:
            return midnight + dt.timedelta(seconds=self.rng.randint(-300, 300))
        return midnight + dt.timedelta(seconds=self.rng.randint(0, 86_399))

    def duration(self) -> dt.timedelta:
        hours = self.rng.choice(
            [
                self.rng.uniform(0, 2),
                self.rng.uniform(0, 47.9),
                self.rng.uniform(47, 49),
                self.rng.uniform(48, 900),
                self.rng.choice([0.05, 0.15, 47.95, 3.0]),  # on buckets' edges
            ]
        )
        return dt.timedelta(seconds=round(hours * 3600, 3))

    def new_cases(self, count: int) -> list[Case]:
        tenant = self.rng.choice(self.tenants)
        model = make_case(tenant.administration)  # the service's path: one case
        clones = []
        for _ in range(count):  # then one multi-row INSERT
            self.serial += 1
            clone = Case.objects.get(pk=model.pk)
            clone.pk = None
            clone.reference = f"RND-{self.serial}"
            clone.channel = self.rng.choice(CHANNELS)
            clone.topic = self.rng.choice(self.topics)
            clone.created_at = self.moment()
            clones.append(clone)
        created = Case.objects.bulk_create(clones)
        for case in self.rng.sample(created, k=len(created) // 2):
            self.answer(case)
        return created

    def answer(self, case: Case) -> None:
        opened = self.rng.random()
        first_opened = case.created_at + self.duration() if opened < 0.5 else None
        assigned = case.created_at + self.duration() if opened < 0.8 else None
        Case.objects.filter(pk=case.pk).update(
            answered_at=case.created_at + self.duration(),
            first_opened_at=first_opened,
            assigned_at=assigned,
        )

    def step(self) -> None:
        ids = list(Case.objects.filter(reference__startswith="RND-").values_list("pk", flat=True))
        some = self.rng.sample(ids, k=min(len(ids), self.rng.randint(1, 12)))
        action = self.rng.randrange(10)
        cases = Case.objects.filter(pk__in=some)
        if action == 0:
            self.new_cases(self.rng.randint(1, 8))
        elif action == 1:
            for case in cases:
                self.answer(case)
        elif action == 2:  # reassignment, then the first opening
            for case in cases:
                Case.objects.filter(pk=case.pk).update(
                    assignee=self.rng.choice(self.tenants).agent,
                    assigned_at=case.created_at + self.duration(),
                )
            cases.update(first_opened_at=F("assigned_at"))
        elif action == 3:
            cases.update(topic=self.rng.choice(self.topics))  # one bulk UPDATE
        elif action == 4:
            for case in cases:
                case.channel = self.rng.choice(CHANNELS)
                case.save(update_fields=["channel"])
        elif action == 5:
            cases.update(administration=self.rng.choice(self.tenants).administration)
        elif action == 6:
            cases.update(answered_at=None)  # reopened
        elif action == 7:
            cases.update(created_at=F("created_at") - dt.timedelta(hours=self.rng.randint(1, 30)))
        elif action == 8:
            cases.delete()
        else:  # columns the dashboard does not read
            cases.update(version=F("version") + 1, subject="Sujet modifié")


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_the_table_equal_to_a_recomputation(tenants, seed):
    world = World(tenants, seed)
    world.new_cases(40)
    _assert_exact()
    for step in range(60):
        world.step()
        if step % 15 == 14:
            _assert_exact()
    _assert_exact()
    before = _table()
    assert daily_activity_rebuild()["rows"] > 0  # idempotent: the same table again
    assert _table() == before


def _durations(scope: Scope, period: Period, kind: str) -> dict[str, dict[str, list[float]]]:
    """{key: {"first": [...], "handling": [...]}}: the exact hours of the period's answers."""
    low, high = period.bounds()
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for case in scope.cases().filter(answered_at__gte=low, answered_at__lt=high):
        key = {"a": "", "c": case.channel, "t": str(case.topic_id or "")}[kind]
        start = case.first_opened_at or case.assigned_at or case.created_at
        found[key]["first"].append(_hours(case.answered_at, case.created_at))
        found[key]["handling"].append(_hours(case.answered_at, start))
    return found


def _tolerance(values: list[float]) -> float:
    """The median's error bound: the median interpolates between two order statistics, each
    estimated within its own bucket (0.1 h under 47.95 h, 1 % beyond)."""
    ordered = sorted(values)
    position = 0.5 * (len(ordered) - 1)
    widths = []
    for rank in {math.floor(position), math.ceil(position)}:
        lo, hi = activity.bucket_bounds(_bucket(ordered[rank]))
        widths.append(hi - lo)
    return max(widths) + 1e-9


@pytest.mark.django_db
def test_dashboard_figures_from_the_table_equal_the_exact_ones(tenants):
    world = World(tenants, 7)
    for _ in range(6):
        world.new_cases(30)
    for _ in range(30):
        world.step()
    scopes = [Scope(administration=t.administration) for t in world.tenants]
    scopes.append(Scope(administration=None, links=False))
    compared = 0
    for scope in scopes:
        for period in (Period.last(7), Period.last(30), Period.last(90), Period.last(400)):
            assert selectors.per_week(scope, period) == selectors.per_week(
                scope, period, exact=True
            )
            for kind in ActivityKind:
                fast = selectors.period_times(scope, period, kind)
                exact = selectors.period_times(scope, period, kind, exact=True)
                durations = _durations(scope, period, kind)
                assert fast.keys() == exact.keys()
                for key, row in fast.items():
                    assert (row["created"], row["n"]) == (exact[key]["created"], exact[key]["n"])
                    for figure in ("first", "handling"):
                        if not row["n"]:
                            assert row[figure] is None and exact[key][figure] is None
                            continue
                        values = durations[key][figure]
                        assert exact[key][figure] == pytest.approx(statistics.median(values))
                        error = abs(row[figure] - exact[key][figure])
                        assert error <= _tolerance(values), (scope, period, kind, key, figure)
                        compared += 1
    assert compared > 50


def test_bucketed_median_is_percentile_cont_of_the_buckets_values():
    # Lone values are their bucket's middle: the duration rounded to 0.1 h.
    assert activity.median({30: 1, 50: 1, 100: 1}) == pytest.approx(5.0)
    assert activity.median({30: 1, 50: 1}) == pytest.approx(4.0)
    # Two in one bucket sit at its quarter and three quarters: their median is its middle.
    assert activity.median({50: 2}) == pytest.approx(5.0)
    assert activity.median({50: 2, 60: 1}) == pytest.approx(5.025)
    assert activity.median({}) is None
    lo, hi = activity.bucket_bounds(480)
    assert (lo, hi) == pytest.approx((47.95, 47.95 * 1.01))
    assert activity.bucket_bounds(-3) == pytest.approx((-0.35, -0.25))


@pytest.mark.django_db
def test_sql_buckets_contain_their_durations():
    rng = random.Random(5)
    seconds = [0.0, 179.0, 180.0, 181.0, 172_619.0, 172_620.0, 3_600_000.0] + [
        rng.uniform(-1e6, 4e6) for _ in range(300)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s, cases_activity_bucket(s::numeric) FROM unnest(%s::float8[]) AS s",
            [seconds],
        )
        for value, bucket in cursor.fetchall():
            lo, hi = activity.bucket_bounds(bucket)
            hours = value / 3600
            if hours >= 0:
                assert lo - 1e-9 <= hours < hi + 1e-9
            else:
                assert lo - 1e-9 < hours <= hi + 1e-9


@pytest.mark.django_db
def test_rebuild_command_checks_and_recomputes_one_administration(tenants):
    world = World(tenants, 11)
    world.new_cases(20)
    out = io.StringIO()
    call_command("rebuild_dashboard_activity", "--check", stdout=out)
    assert "0 row(s) differ" in out.getvalue()
    administration = DailyActivity.objects.filter(created__gt=0).first().administration
    DailyActivity.objects.filter(administration=administration, kind="a").update(created=0)
    with pytest.raises(CommandError, match="differs"):
        call_command("rebuild_dashboard_activity", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_dashboard_activity", "--administration", administration.code, stdout=out)
    assert f"  {administration.code}: " in out.getvalue()
    _assert_exact()
    with pytest.raises(CommandError, match="NOPE"):
        call_command("rebuild_dashboard_activity", "--administration", "NOPE")


@pytest.mark.django_db
def test_the_application_role_is_told_to_move_the_days_as_the_owner(tenants, settings):
    settings.TIME_ZONE = "Pacific/Noumea"
    with pytest.raises(CommandError, match="DATABASE_MIGRATE_URL"):
        call_command("rebuild_dashboard_activity", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_new_time_zone_moves_every_day_in_one_go(tenants, settings):
    """After ``TIME_ZONE`` changes, the rebuild (as the schema's owner) redefines the local day
    and recomputes every administration in one transaction: the table is exact in the new
    days, and writes made afterwards land in them."""
    from tests.db_roles import switch_back_to_owner, switch_to_app_role

    switch_back_to_owner()  # replacing a function is the owner's
    try:
        world = World(tenants, 5)
        world.new_cases(30)
        settings.TIME_ZONE = "Pacific/Noumea"  # eleven hours ahead of Paris: most days move
        lines: list[str] = []
        daily_activity_rebuild(log=lines.append)
        assert lines[0].startswith("Time zone changed to Pacific/Noumea")
        assert daily_activity_time_zone() == "Pacific/Noumea"
        _assert_exact()
        world.new_cases(10)
        _assert_exact()
    finally:
        settings.TIME_ZONE = "Europe/Paris"
        daily_activity_rebuild()  # the function back for the other tests
        switch_to_app_role()
