"""The workspace pages cost a bounded number of queries: no query per row, note or event.

Each page is rendered once to warm up (session, content types, the assignee's first opening),
then measured through the test client with ``CaptureQueriesContext``; the count with few rows
must equal the count with many.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, Status
from cases.views import PAGE_SIZE
from tests.case_states import REPLY_TEXT, bring_to
from tests.factories import make_case, make_topic

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def _measure(client: Client, url: str) -> tuple[int, list[str], str]:
    client.get(url)  # warm-up: session, guardian's content type, first opening...
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], response


def _explain(label: str, small: tuple, large: tuple) -> str:
    lines = [f"{label}: {small[0]} queries with few rows, {large[0]} with many"]
    extra = [sql for sql in large[1] if sql not in small[1]]
    lines += [f"  only with many: {sql[:200]}" for sql in extra[:10]]
    return "\n".join(lines)


def _add_cases(office, count: int, topics) -> None:
    """Cases spread over both agents and the queue, with topics: every related row shows."""
    holders = [office.agent, office.agent2, None]
    for n in range(count):
        case = make_case(office.administration, topic=topics[n % len(topics)])
        holder = holders[n % 3]
        if holder is not None:
            services.case_assign(actor=office.manager, case=case, assignee=holder)


INBOXES = [
    ("agent", "mine"),
    ("agent", "queue"),
    ("manager", "all"),
    ("manager", "queue"),
]


@pytest.mark.parametrize(("who", "box"), INBOXES)
def test_the_inbox_costs_the_same_with_5_cases_as_with_60(office, who, box):
    topics = [make_topic(office.administration, "APL"), make_topic(None, "Famille"), None]
    _add_cases(office, 5, topics)
    client = _client(getattr(office, who))
    url = f"{reverse('cases:inbox')}?box={box}"
    small = _measure(client, url)
    _add_cases(office, 55, topics)
    large = _measure(client, url)
    rows_small = small[2].content.decode().count("<tr data-case=")
    rows_large = large[2].content.decode().count("<tr data-case=")
    assert rows_large > rows_small > 0, (rows_small, rows_large)
    assert small[0] == large[0], _explain(f"inbox {box} as {who}", small, large)
    print(f"inbox {box} as {who}: {small[0]} queries ({rows_small} rows and {rows_large} rows)")


def test_a_full_inbox_page_with_a_next_page_costs_the_same_as_a_short_one(office):
    topics = [make_topic(office.administration, "APL"), None]
    _add_cases(office, 3, topics)
    client = _client(office.manager)
    url = f"{reverse('cases:inbox')}?box=all"
    small = _measure(client, url)
    _add_cases(office, PAGE_SIZE + 10, topics)
    large = _measure(client, url)
    assert large[2].context["next_url"], "the second measure should have a next page"
    assert large[2].content.decode().count("<tr data-case=") == PAGE_SIZE
    second = _measure(client, large[2].context["next_url"])
    assert small[0] == large[0] == second[0], (
        _explain("inbox all, first page", small, large)
        + "\n"
        + _explain("inbox all, second page", small, second)
    )
    print(f"inbox all: {small[0]} queries (3 rows, {PAGE_SIZE} rows, second page)")


def _busy(office, case: Case, rounds: int) -> Case:
    """``rounds`` notes by two authors, and ``rounds`` replies each followed by a reopening."""
    for n in range(rounds):
        author = office.agent if n % 2 else office.manager
        services.case_add_note(actor=author, case=case, body=f"Note {n}")
    for n in range(rounds):
        services.case_send_reply(actor=office.agent, case=case, body=f"{REPLY_TEXT} ({n})")
        case = Case.objects.get(pk=case.pk)
        services.case_transition(actor=office.agent, case=case, action="reopen")
        case = Case.objects.get(pk=case.pk)
    return case


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_the_case_page_costs_the_same_with_1_or_10_notes_replies_and_events(office, who):
    quiet = _busy(office, bring_to(Status.IN_PROGRESS, office), 1)
    busy = _busy(office, bring_to(Status.IN_PROGRESS, office), 10)
    assert busy.events.count() >= 3 * quiet.events.count()
    assert busy.replies.count() == 10 and busy.notes.count() == 10
    client = _client(getattr(office, who))
    small = _measure(client, reverse("cases:detail", args=[quiet.pk]))
    large = _measure(client, reverse("cases:detail", args=[busy.pk]))
    html = large[2].content.decode()
    assert html.count("Internal note ·") == 10 and html.count("Reply sent ·") == 10
    assert small[0] == large[0], _explain(f"case page as {who}", small, large)
    print(f"case page as {who}: {small[0]} queries (1 and 10 notes/replies)")


def test_the_inbox_stays_within_a_fixed_budget(office, django_assert_max_num_queries):
    """A ceiling, so that a new query on the page is a decision, not an accident."""
    _add_cases(office, 12, [None])
    client = _client(office.manager)
    url = f"{reverse('cases:inbox')}?box=all"
    client.get(url)
    # 10 since the box counts' permission check reuses the request's permissions (was 11); 8
    # since the box counts and the tally are one statement (they were two statements with the
    # queue's and overdue counts cached, four without).
    with django_assert_max_num_queries(8):
        client.get(url)
    cache.clear()  # the queue's and overdue counts computed again: still the one statement
    with django_assert_max_num_queries(8):
        client.get(url)
