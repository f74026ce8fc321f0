"""Realistic synthetic history at national scale, written by PostgreSQL itself.

``generate(cases=1_000_000, administrations=20)`` creates (or reuses) benchmark administrations
``BULK01``… of very different sizes (a Zipf-like spread: the largest holds about a fifth of the
cases), each with its agents (half of them approved volunteers), a manager and an administrator,
two experiment periods (one ended, one running), then, administration by administration, in
batches of ``batch_size`` cases, one transaction each (a rerun resumes after the last finished
batch: the administration's count of cases says where):

- cases over the last year (more of them recently), or over ``years`` years at a constant rate
  (five years of France Services: 17,500,000 cases), channels, topics, priorities and deadlines
  as in production; old cases answered or closed, recent ones new or being worked, a small
  backlog (cases under ``BACKLOG_DAYS`` old) left overdue;
- the experiment (two periods) covers the last year: the arm of every case of that year
  (``CaseArm``: assisted or control, drawn with the period's share; older cases have none), a
  suggestion for every assisted case (ready or failed, latency, tokens, backend; shown
  to volunteers, accepted, edited or discarded with a reason when the case was answered);
- the reply of every answered case, written by its agent, handled faster on assisted cases
  worked by a volunteer;
- the usager's satisfaction answer for part of the answered cases that left an e-mail.

Rows are produced by ``INSERT … SELECT … FROM generate_series`` over temporary tables of random
draws: no row passes through Python. Past a few million cases, ``bulk_load`` drops the tables'
secondary indexes and pauses autovacuum while loading, then rebuilds them (``bulkload.py``).
The synthetic cases have no journal (``CaseEvent``), which keeps them deletable (``reset``): the
journal is append-only.

The generator is three modules: this one (the entry points, ``generate`` and ``reset``, and the
batches), ``bulkstaff.py`` (the administrations, their staff and experiment periods) and
``bulkrows.py`` (the SQL that writes one batch).

Application code never imports these modules; the ``generate_bulk_data`` command does, and the
benchmark commands find the generated administrations through ``bulkstaff.py``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection, models, transaction
from django.utils import timezone

from cases.counters import tally_add
from cases.models import Case, Reply, SatisfactionResponse, Topic
from devtools.bench import bulkload
from devtools.bench.bulkrows import fill_batch, quoted_table
from devtools.bench.bulkstaff import (
    BulkAdministration,
    bulk_administrations,
    sizes,
    staff_administration,
)
from drafting.models import CaseArm, ImpactCase, ImpactDraft, Suggestion

BULK_TABLES: list[type[models.Model]] = [
    Case,
    Reply,
    CaseArm,
    Suggestion,
    SatisfactionResponse,
    ImpactCase,
    ImpactDraft,
]


def _skip_foreign_key_checks(cursor) -> bool:
    """For this transaction only, skip the foreign-key triggers when the database role may.

    Django's foreign keys are deferred constraints checked row by row at commit: for a million
    cases, their replies, arms and suggestions that is some ten million trigger calls, most of
    the generation time. Every id written here comes from rows the generator created or read in
    the same transaction, so the checks cannot fail. Without superuser rights, they run.
    """
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def reset(count: int) -> int:
    """Delete the generated rows of the bulk administrations (they keep their staff)."""
    ids = [a.pk for a in bulk_administrations(count)]
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cases = f"(SELECT id FROM {quoted_table(Case)} WHERE administration_id = ANY(%s))"
        for model in (ImpactCase, ImpactDraft):
            cursor.execute(
                f"DELETE FROM {quoted_table(model)} WHERE administration_id = ANY(%s)", [ids]
            )
        cursor.execute(
            f"DELETE FROM {quoted_table(SatisfactionResponse)} WHERE administration_id = ANY(%s)",
            [ids],
        )
        cursor.execute(
            f"DELETE FROM {quoted_table(Suggestion)} WHERE administration_id = ANY(%s)", [ids]
        )
        cursor.execute(f"DELETE FROM {quoted_table(CaseArm)} WHERE case_id IN {cases}", [ids])
        cursor.execute(f"DELETE FROM {quoted_table(Reply)} WHERE case_id IN {cases}", [ids])
        cursor.execute(f"DELETE FROM {quoted_table(Case)} WHERE administration_id = ANY(%s)", [ids])
        return cursor.rowcount


def generate(
    *,
    cases: int,
    administrations: int,
    seed: float = 0.42,
    batch_size: int = 250_000,
    bulk_load: bool = False,
    years: int = 1,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, float]:
    """Generate ``cases`` cases over ``administrations`` bulk administrations (PostgreSQL).

    With ``bulk_load``, the tables' secondary indexes are dropped and autovacuum is off while
    loading, then the indexes are rebuilt (``devtools/bench/bulkload.py``); indexes left dropped
    by an interrupted bulk load are rebuilt at the end of any run."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The bulk generator writes with PostgreSQL's SQL (generate_series).")
    if administrations < 1 or administrations > 99 or cases < administrations:
        raise ValueError("Between 1 and 99 administrations, and at least one case each.")
    now = timezone.now()
    topics = list(
        Topic.objects.filter(administration__isnull=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not topics:
        raise RuntimeError("No national topics: run migrate first.")
    if batch_size < 1:
        raise ValueError("The batch size is at least one case.")
    if not 1 <= years <= 10:
        raise ValueError("Between 1 and 10 years of history.")
    totals: dict[str, int] = {"cases": 0}
    started = time.perf_counter()
    tables = [model._meta.db_table for model in BULK_TABLES]
    # The staff first, while every index is there: an enrolment's trigger rewrites the
    # volunteer flag of its agent's impact facts, a scan of the facts without their indexes
    # (growing from a million cases to 17.5 million, 96 enrolments took 20 minutes: the largest
    # administration alone has 371 volunteers).
    staffed = []
    for index, size in enumerate(sizes(cases, administrations), start=1):
        with transaction.atomic():
            staffed.append(staff_administration(index, size, now))
    if bulk_load:
        bulkload.session_settings()
        bulkload.suspend(tables, log=log)
    _load(
        staffed=staffed,
        seed=seed,
        batch_size=batch_size,
        years=years,
        now=now,
        topics=topics,
        totals=totals,
        started=started,
        log=log,
    )
    rebuilt_started = time.perf_counter()
    if bulkload.restore(tables if bulk_load else (), log=log):
        log(f"  Indexes rebuilt in {time.perf_counter() - rebuilt_started:.1f} s.")
    analyze_started = time.perf_counter()
    # VACUUM sets the visibility map (index-only scans); it cannot run inside a transaction.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in BULK_TABLES:
            cursor.execute(f"{command} {quoted_table(model)}")
    log(f"  {command}: {time.perf_counter() - analyze_started:.1f} s")
    return {**totals, "seconds": round(time.perf_counter() - started, 1)}


def _load(
    *,
    staffed: list[BulkAdministration],
    seed: float,
    batch_size: int,
    years: int,
    now: dt.datetime,
    topics: list[int],
    totals: dict[str, int],
    started: float,
    log: Callable[[str], None],
) -> None:
    for index, bulk in enumerate(staffed, start=1):
        size = bulk.cases
        existing = Case.objects.filter(administration=bulk.administration).count()
        if existing >= size:
            log(f"  {bulk.administration.code}: {existing:,} cases already, complete.")
            continue
        if existing:
            log(f"  {bulk.administration.code}: {existing:,} cases already, resuming.")
        while existing < size:
            count = min(batch_size, size - existing)
            batch_started = time.perf_counter()
            # One transaction per batch: an interrupted run keeps its finished batches, and the
            # next run resumes after them (the count of the administration's cases).
            with transaction.atomic(), connection.cursor() as cursor:
                skipped = _skip_foreign_key_checks(cursor)
                written = fill_batch(
                    cursor,
                    bulk,
                    topics,
                    now,
                    seed=(seed + index / 1000 + existing / 1e9) % 1,
                    count=count,
                    offset=existing,
                    years=years,
                )
                # The triggers that keep the impact report's facts and the administration's
                # tally are off with the foreign keys' (replication role): done here. The facts'
                # own triggers (their rollups) run: the role is back to normal for the refresh.
                if skipped:
                    cursor.execute("SET LOCAL session_replication_role = origin")
                cursor.execute("SELECT drafting_impact_refresh(ARRAY(SELECT id FROM bulk_case))")
                if skipped:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                if skipped:
                    tally_add(bulk.administration.pk, written["cases"], cursor=cursor)
            existing += written["cases"]
            for key, value in written.items():
                totals[key] = totals.get(key, 0) + value
            elapsed = time.perf_counter() - started
            log(
                f"  {bulk.administration.code}: {existing:,}/{size:,} cases "
                f"(+{written['cases']:,} in {time.perf_counter() - batch_started:.1f} s; "
                f"{totals.get('cases', 0) / elapsed:,.0f} cases/s overall, {elapsed:.0f} s)"
            )
