"""The agent workspace through Django's test client: the drafting panel of the case page.

A ready draft with its sources and buttons, when it counts as shown, a pending draft that
polls, a control case that shows nothing, discarding (with and without a reason) and asking
for a new draft.

Every test signs in with ``force_login`` (the ``browser`` fixture of tests/cases/conftest.py)
and reads the HTML the agent would read. Pages are asked for in English (Accept-Language) so
that assertions on wording do not depend on the state of the French catalogue.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases import services as case_services
from cases.models import Case, Status
from drafting.experiment import services as experiment_services
from drafting.models import Arm, CaseArm, Suggestion
from drafting.suggestions import services as suggestion_services
from tests.case_states import bring_to
from tests.cases.workspace_pages import (
    VITALE_BODY,
    VITALE_SUBJECT,
    detail,
    drafted_case,
    suggestions_state,
)
from tests.factories import make_case

pytestmark = pytest.mark.django_db


# --- drafting panel --------------------------------------------------------------------------


def panel_url(case: Case) -> str:
    return reverse("drafting:panel", args=[case.pk])


@pytest.fixture
def drafted(office, django_capture_on_commit_callbacks, vitale_article):
    return drafted_case(office, django_capture_on_commit_callbacks)


def test_the_case_page_has_the_slot_the_panel_fills(office, browser, drafted):
    case, _suggestion = drafted
    html = browser(office.agent).get(detail(case)).content.decode()
    assert f'hx-get="{panel_url(case)}"' in html


def test_a_ready_draft_shows_its_text_sources_backend_and_buttons(office, browser, drafted):
    case, suggestion = drafted
    response = browser(office.agent).get(panel_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(suggestion.text) in html
    assert suggestion.sources, "the draft should cite the carte Vitale fiche"
    cited = html.split('id="draft-sources"', 1)[1].split("</ul>", 1)[0]
    for source in suggestion.sources:
        # The sources the draft cites are listed first; the others are folded under them.
        assert (f"[{source['n']}]" in cited) == (f"[{source['n']}]" in suggestion.text)
        assert f"[{source['n']}]" in html
        assert escape(source["title"]) in html
        assert escape(source["excerpt"]) in html
    vitale = [s for s in suggestion.sources if s.get("url")]
    assert vitale and f'href="{vitale[0]["url"]}"' in html
    assert suggestion.backend == "offline"
    assert "offline drafter" in html
    for button, label in (
        ("use-draft", "Use this reply"),
        ("discard-draft", "Discard"),
        ("new-draft", "New draft"),
    ):
        assert f'id="{button}"' in html
        assert label in html
    assert "hx-trigger" not in html  # nothing to wait for


def test_the_assignee_opening_the_panel_records_when_the_draft_was_shown(office, browser, drafted):
    case, suggestion = drafted
    browser(office.agent).get(panel_url(case))
    suggestion.refresh_from_db()
    assert suggestion.shown_at is not None
    assert suggestion.shown_to_id == office.agent.pk
    first_seen = suggestion.shown_at
    browser(office.agent).get(panel_url(case))
    suggestion.refresh_from_db()
    assert suggestion.shown_at == first_seen


def test_a_manager_who_is_not_the_assignee_does_not_start_the_clock(office, browser, drafted):
    case, suggestion = drafted
    response = browser(office.manager).get(panel_url(case))
    assert response.status_code == 200
    assert escape(suggestion.text) in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.shown_at is None and suggestion.shown_to_id is None


def test_a_pending_draft_polls_until_it_is_ready(office, browser):
    case = bring_to(Status.ASSIGNED, office)  # on-commit not run: no draft yet
    suggestion_services.suggestion_request(actor=office.agent, case=case)
    assert Suggestion.objects.get(case=case).status == Suggestion.Status.PENDING
    response = browser(office.agent).get(panel_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{panel_url(case)}"' in html
    assert 'id="draft-pending"' in html
    assert 'id="use-draft"' not in html


def test_a_control_case_shows_no_panel_and_no_word_of_the_experiment(
    office,
    browser,
    django_capture_on_commit_callbacks,
    vitale_article,
):
    experiment_services.experiment_start(
        actor=office.administrator, administration=office.administration, assisted_share=Decimal(0)
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(office.administration, subject=VITALE_SUBJECT, body=VITALE_BODY)
    case = case_services.case_take(actor=office.agent, case=case)
    assert CaseArm.objects.get(case=case).arm == Arm.CONTROL
    assert not Suggestion.objects.filter(case=case).exists()
    for user in (office.agent, office.manager):
        for language in ("en", "fr"):
            response = browser(user, language=language).get(panel_url(case))
            assert response.status_code == 200
            text = response.content.decode().lower()
            for word in (
                "brouillon",
                "draft",
                "contrôle",
                "control",
                "expérience",
                "expérimentation",
                "experiment",
            ):
                assert word not in text, (user, language, word)
            assert not text.strip(), text


def test_discarding_without_a_reason_is_a_form_error(office, browser, drafted):
    case, suggestion = drafted
    browser(office.agent).get(panel_url(case))  # shown: the re-rendered panel changes nothing
    before = suggestions_state(case)
    response = browser(office.agent).post(
        reverse("drafting:discard", args=[suggestion.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a reason for discarding the draft." in html
    assert "fr-select-group--error" in html
    assert suggestions_state(case) == before
    suggestion.refresh_from_db()
    assert suggestion.decision == "" and suggestion.discard_reason == ""


def test_discarding_as_other_needs_a_comment(office, browser, drafted):
    case, suggestion = drafted
    browser(office.agent).get(panel_url(case))
    before = suggestions_state(case)
    response = browser(office.agent).post(
        reverse("drafting:discard", args=[suggestion.pk]), {"reason": "other", "comment": "  "}
    )
    assert response.status_code == 400
    assert "Say in a few words why the draft is discarded." in response.content.decode()
    assert suggestions_state(case) == before
    suggestion.refresh_from_db()
    assert suggestion.decision == ""


def test_discarding_with_a_reason_records_the_decision(office, browser, drafted):
    case, suggestion = drafted
    client = browser(office.agent)
    client.get(panel_url(case))
    response = client.post(
        reverse("drafting:discard", args=[suggestion.pk]),
        {"reason": "other", "comment": "Ne répond pas à la question."},
    )
    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.DISCARDED
    assert suggestion.discard_reason == "other"
    assert suggestion.discard_comment == "Ne répond pas à la question."
    assert suggestion.decided_by_id == office.agent.pk
    html = response.content.decode()
    assert "You discarded this draft" in html
    assert 'id="discard-draft"' not in html


def test_asking_for_a_new_draft_makes_a_second_suggestion(
    office, browser, drafted, django_capture_on_commit_callbacks
):
    case, first = drafted
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(office.agent).post(reverse("drafting:request", args=[case.pk]))
    assert response.status_code == 200
    suggestions = list(Suggestion.objects.filter(case=case).order_by("sequence"))
    assert [s.sequence for s in suggestions] == [1, 2]
    second = suggestions[1]
    assert second.requested_by_id == office.agent.pk
    assert second.status == Suggestion.Status.READY
    first.refresh_from_db()
    assert first.status == Suggestion.Status.READY  # kept in the history


# --- a colleague's case ----------------------------------------------------------------------


def test_a_colleague_may_neither_discard_nor_renew_the_draft_of_a_case_not_theirs(
    office, browser, drafted, django_capture_on_commit_callbacks
):
    """The same rule as replying: agent2 (a volunteer too) does not decide on agent's draft."""
    case, suggestion = drafted
    before = suggestions_state(case)
    colleague = browser(office.agent2)
    panel_html = colleague.get(panel_url(case)).content.decode()
    for button in ("use-draft", "discard-draft", "new-draft"):
        assert f'id="{button}"' not in panel_html
    response = colleague.post(
        reverse("drafting:discard", args=[suggestion.pk]), {"reason": "wrong"}
    )
    assert response.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = colleague.post(reverse("drafting:request", args=[case.pk]))
    assert response.status_code == 403
    assert suggestions_state(case) == before


def test_a_manager_may_discard_the_draft_of_a_case_assigned_to_an_agent(office, browser, drafted):
    _case, suggestion = drafted
    response = browser(office.manager).post(
        reverse("drafting:discard", args=[suggestion.pk]), {"reason": "wrong"}
    )
    assert response.status_code == 200
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.DISCARDED
    assert suggestion.decided_by_id == office.manager.pk
