"""The inbox costs a constant number of queries, pages by keyset, and is served by indexes."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case, Status
from cases.selectors import InboxFilters, inbox, inbox_page
from tests.factories import make_case, make_topic

pytestmark = pytest.mark.django_db

PAGE_SIZES = (5, 50)


def _seed(
    office, count: int, *, created_at: dt.datetime | None = None, assign: bool = True
) -> list[Case]:
    """``count`` cases with topics, spread over both agents, a third left in the queue."""
    topics = itertools.cycle(
        [make_topic(office.administration, "APL"), make_topic(None, "Famille"), None]
    )
    holders = itertools.cycle([office.agent, office.agent2, None])
    cases = []
    for _ in range(count):
        case = make_case(office.administration, topic=next(topics), created_at=created_at)
        holder = next(holders)
        if assign and holder is not None:
            case = services.case_assign(actor=office.manager, case=case, assignee=holder)
        cases.append(case)
    return cases


def _render_page(user, administration, box: str, size: int, after=None):
    """What a list page does: one page of the inbox, touching each row's related objects."""
    rows, cursor = inbox_page(
        inbox(user, administration, InboxFilters(box=box)), after=after, size=size
    )
    lines = [
        (
            case.reference,
            case.assignee.display_name if case.assignee else "",
            getattr(case.topic, "name", ""),
        )
        for case in rows
    ]
    return lines, cursor


def _warm_up(user, administration) -> None:
    # django-guardian resolves the permission's content type once per process and caches it.
    list(inbox(user, administration, InboxFilters(box="all"))[:1])


def _queries(user, administration, box: str, size: int, after=None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        lines, _cursor = _render_page(user, administration, box, size, after)
    return len(ctx.captured_queries), len(lines)


BOXES = {"all": "manager", "mine": "agent", "queue": "manager"}


def test_inbox_page_costs_the_same_number_of_queries_whatever_its_size(office, subtests):
    adm = office.administration
    _seed(office, 5)
    _warm_up(office.manager, adm)
    small = {
        box: {size: _queries(getattr(office, who), adm, box, size) for size in PAGE_SIZES}
        for box, who in BOXES.items()
    }
    _seed(office, 55)
    for box, who in BOXES.items():
        with subtests.test(box=box):
            user = getattr(office, who)
            large = {size: _queries(user, adm, box, size) for size in PAGE_SIZES}
            _lines, cursor = _render_page(user, adm, box, 5)
            next_page = _queries(user, adm, box, 5, after=cursor)
            # The pages really differ in size...
            assert large[50][1] > large[5][1] == next_page[1] == 5
            # ...and cost the same.
            costs = {n for n, _rows in [*small[box].values(), *large.values(), next_page]}
            # The visibility filter is a subquery: the whole page is a single round trip.
            assert costs == {1}, (small[box], large, next_page)


def test_inbox_page_with_django_assert_num_queries(office, django_assert_num_queries):
    _seed(office, 12)
    _warm_up(office.manager, office.administration)
    with django_assert_num_queries(1):
        _render_page(office.manager, office.administration, "all", 50)


# --- keyset pagination ---------------------------------------------------------------------


def _walk(user, administration, box: str, size: int) -> tuple[list[int], list[int]]:
    seen, page_sizes, cursor = [], [], None
    while True:
        rows, cursor = inbox_page(
            inbox(user, administration, InboxFilters(box=box)), after=cursor, size=size
        )
        seen += [case.pk for case in rows]
        page_sizes.append(len(rows))
        if cursor is None:
            return seen, page_sizes


def test_keyset_pages_return_every_case_once_in_due_date_then_id_order(office):
    # Several cases share a due date: the id breaks the tie across page boundaries.
    moments = [
        dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC),
    ]
    for moment in moments:
        _seed(office, 7, created_at=moment, assign=False)
    _seed(office, 2, assign=False)
    expected = list(
        Case.objects.filter(administration=office.administration)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 23
    for size in (1, 4, 5, 7, 22, 23, 50):
        seen, _pages = _walk(office.manager, office.administration, "all", size)
        assert seen == expected, size


def test_last_full_page_has_no_cursor(office):
    _seed(office, 10, assign=False)
    _seen, pages = _walk(office.manager, office.administration, "all", 5)
    assert pages == [5, 5]


def test_empty_inbox_is_one_empty_page(office):
    assert inbox_page(
        inbox(office.agent, office.administration, InboxFilters(box="mine")), after=None, size=5
    ) == ([], None)


def test_keyset_page_is_stable_when_cases_arrive_meanwhile(office):
    _seed(office, 10, created_at=dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), assign=False)
    adm = office.administration
    first, cursor = inbox_page(
        inbox(office.manager, adm, InboxFilters(box="all")), after=None, size=4
    )
    # A case due earlier than the cursor arrives: it must not shift the next page.
    make_case(adm, created_at=dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC))
    second, _ = inbox_page(
        inbox(office.manager, adm, InboxFilters(box="all")), after=cursor, size=4
    )
    assert not {c.pk for c in first} & {c.pk for c in second}
    assert (second[0].due_at, second[0].pk) > (first[-1].due_at, first[-1].pk)


def test_mine_and_queue_boxes_split_the_open_cases(office):
    cases = _seed(office, 9)
    adm = office.administration
    mine = {c.pk for c in inbox(office.agent, adm, InboxFilters(box="mine"))}
    theirs = {c.pk for c in inbox(office.agent2, adm, InboxFilters(box="mine"))}
    queue = {c.pk for c in inbox(office.agent, adm, InboxFilters(box="queue"))}
    assert len(mine) == len(theirs) == len(queue) == 3
    assert mine | theirs | queue == {c.pk for c in cases}
    closed = Case.objects.get(pk=next(iter(mine)))
    services.case_transition(actor=office.agent, case=closed, action="close")
    assert closed.pk not in {c.pk for c in inbox(office.agent, adm, InboxFilters(box="mine"))}
    assert Case.objects.get(pk=closed.pk).status == Status.CLOSED


# --- indexes -------------------------------------------------------------------------------


def _index_fields() -> dict[str, list[str]]:
    """Each index's columns; an expression index names its first expression's column."""
    return {
        index.name: list(index.fields)
        or [getattr(expression, "name", str(expression)) for expression in index.expressions]
        for index in Case._meta.indexes
    }


def test_case_indexes_cover_the_inbox_and_due_date_queries():
    indexes = _index_fields()
    # "mine": equality on administration and assignee, status list, ordered by due date.
    assert ["administration", "assignee", "status", "due_at", "id"] in indexes.values()
    # "queue": equality on administration and status, ordered by due date.
    assert ["administration", "status", "due_at", "id"] in indexes.values()
    # "all" and "overdue": administration, then the due date range and order.
    assert ["administration", "due_at", "id"] in indexes.values()


def test_case_indexes_all_start_with_the_tenant():
    for name, fields in _index_fields().items():
        assert fields[0] == "administration", name


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN output is PostgreSQL's"
)


def _bulk_seed(office, count: int) -> None:
    """Enough rows for the planner to care; the rules of case_create are not under test here."""
    base = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    holders = [office.agent, office.agent2, None]
    statuses = [Status.ASSIGNED, Status.IN_PROGRESS, Status.NEW]
    Case.objects.bulk_create(
        Case(
            administration=office.administration,
            reference=f"BULK-{n:06d}",
            channel="email",
            subject="Question",
            body="Bonjour",
            status=statuses[n % 3] if n % 7 else Status.CLOSED,
            assignee=holders[n % 3] if n % 7 else None,
            created_at=base + dt.timedelta(hours=n),
            due_at=base + dt.timedelta(days=10, hours=n),
        )
        for n in range(count)
    )


@postgres_only
def test_postgresql_plans_the_inbox_on_the_case_indexes(office, subtests):
    _bulk_seed(office, 300)
    adm = office.administration
    declared = set(_index_fields())
    with connection.cursor() as cursor:
        table_indexes = {
            name
            for name, info in connection.introspection.get_constraints(cursor, "cases_case").items()
            if info["index"]
        }
        # SET LOCAL: undone with the test's transaction. A few hundred rows: the planner's
        # estimate decides between an ordered index read and a bitmap scan plus a sort, and it
        # drifts with what earlier tests left in the table's counters (ANALYZE's page and row
        # counts are kept even when their transaction rolls back: the bulk generator's tests
        # made it estimate 17 rows of 300 here). Without sorts and bitmaps, the plan shows
        # whether an index serves each box in its order.
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("ANALYZE cases_case")
    assert declared <= table_indexes
    for box, user in (("mine", office.agent), ("queue", office.manager), ("all", office.manager)):
        with subtests.test(box=box):
            # Sliced as inbox_page slices it.
            plan = inbox(user, adm, InboxFilters(box=box))[:51].explain()
            assert "Seq Scan on cases_case" not in plan, plan
            assert {name for name in table_indexes if name in plan}, plan
            if box == "all":
                # Nothing narrows the tenant's cases: only the due-date index avoids a sort.
                assert "case_due_idx" in plan, plan
    with subtests.test(box="overdue"):
        plan = inbox(office.manager, adm, InboxFilters(box="all", overdue=True))[:51].explain()
        assert {name for name in table_indexes if name in plan}, plan
