"""Migration cases/0011: PostgreSQL knows that a new case and an unassigned case are the same
rows, so the queue's estimate (and plan: an ordered read of case_queue_open_idx that stops
after a page) stays right when the queue is a small share of a long history."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from cases.models import Case, Status
from devtools.bench import bulkdata, bulkstaff
from tests.db_roles import switch_back_to_owner, switch_to_app_role


@pytest.mark.django_db(transaction=True)
def test_the_queue_estimate_counts_new_and_unassigned_together():
    # ANALYZE is the tables' owner's (the application role's connections cannot run it).
    switch_back_to_owner()
    try:
        bulkdata.generate(cases=6_000, administrations=1, seed=0.4, years=5)
        administration = bulkstaff.largest_administration()
        queue = Case.objects.filter(
            administration=administration, status=Status.NEW, assignee__isnull=True
        )
        actual = queue.count()
        assert 0 < actual < 6_000 * 0.02  # a small share of the history, as in production
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_statistic_ext WHERE stxname = 'case_status_assignee_stats'"
            )
            assert cursor.fetchone() is not None
            cursor.execute("ANALYZE cases_case")
            sql, params = queue.values("id").query.sql_with_params()
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        estimated = plan[0]["Plan"]["Plan Rows"]
        # Multiplied as independent, the two conditions gave a tiny fraction of the real count.
        assert actual / 2 <= estimated <= actual * 2
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bulk_dropped_index")
        switch_to_app_role()
