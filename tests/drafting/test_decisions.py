"""What the agent did with a draft: shown, accepted, edited, discarded; new drafts on request."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Reply
from drafting.knowledge import ArticleData
from drafting.knowledge import services as knowledge_services
from drafting.models import Suggestion
from drafting.suggestions import selectors
from drafting.suggestions import services as suggestion_services
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DRAFTING_BACKEND = "offline"


@pytest.fixture
def knowledge():
    text = (
        "L'aide personnalisée au logement (APL) est recalculée chaque trimestre à partir de vos "
        "ressources des douze derniers mois. Une baisse de l'APL suit souvent une hausse de vos "
        "revenus ou un changement de situation familiale. Le détail du calcul figure dans votre "
        "espace personnel, rubrique Mes paiements."
    )
    knowledge_services.article_upsert(
        data=ArticleData(
            external_id="GUI-APL",
            title="Aide personnalisée au logement : pourquoi le montant change",
            body=text,
            source_format="manual",
            source_url="https://guichet.example.gouv.fr/fiches/GUI-APL",
            passages=[("Aide personnalisée au logement : pourquoi le montant change", text)],
        ),
        administration=None,
    )


@pytest.fixture
def ready(tenant_a, knowledge, django_capture_on_commit_callbacks):
    """A case of A taken by its agent, with a ready first draft."""
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(tenant_a.administration)
    case = case_services.case_take(actor=tenant_a.agent, case=case)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == Suggestion.Status.READY
    assert suggestion.sequence == 1
    assert len(suggestion.text) > 200
    return case, suggestion


def send(tenant, case: Case, body: str, capture) -> Reply:
    with capture(execute=True):
        return case_services.case_send_reply(actor=tenant.agent, case=case, body=body)


def shown(tenant, suggestion: Suggestion, seconds_ago: int = 0) -> Suggestion:
    suggestion = suggestion_services.suggestion_mark_shown(
        actor=tenant.agent, suggestion=suggestion
    )
    if seconds_ago:
        Suggestion.objects.filter(pk=suggestion.pk).update(
            shown_at=timezone.now() - dt.timedelta(seconds=seconds_ago)
        )
        suggestion.refresh_from_db()
    return suggestion


def row(suggestion: Suggestion) -> dict:
    return Suggestion.objects.filter(pk=suggestion.pk).values().get()


# --- shown ----------------------------------------------------------------------------------


def test_marking_shown_records_the_first_time_only(tenant_a, ready):
    _case, suggestion = ready
    assert suggestion.shown_at is None
    first = suggestion_services.suggestion_mark_shown(actor=tenant_a.agent, suggestion=suggestion)
    assert first.shown_at is not None
    assert first.shown_to_id == tenant_a.agent.pk
    again = suggestion_services.suggestion_mark_shown(
        actor=tenant_a.agent2, suggestion=Suggestion.objects.get(pk=suggestion.pk)
    )
    assert again.shown_at == first.shown_at
    assert again.shown_to_id == tenant_a.agent.pk
    assert row(suggestion)["shown_at"] == first.shown_at


def test_a_draft_not_ready_is_not_marked_shown(tenant_a, ready):
    case, _ = ready
    pending = suggestion_services.suggestion_request(actor=tenant_a.agent, case=case)
    assert pending.status == Suggestion.Status.PENDING
    suggestion_services.suggestion_mark_shown(actor=tenant_a.agent, suggestion=pending)
    assert row(pending)["shown_at"] is None


# --- decisions derived from the reply -------------------------------------------------------


def test_sending_the_draft_as_is_records_accepted(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    suggestion = shown(tenant_a, suggestion, seconds_ago=90)
    # Whitespace differences (re-wrapped lines, doubled spaces) do not count as edits.
    body = "  " + suggestion.text.replace("\n\n", "\n").replace(" ", "  ") + "\n"
    reply = send(tenant_a, case, body, django_capture_on_commit_callbacks)
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.ACCEPTED
    assert suggestion.similarity == 1.0
    assert suggestion.reply_id == reply.pk
    assert suggestion.decided_by_id == tenant_a.agent.pk
    assert suggestion.decided_at == reply.created_at
    assert 89 <= suggestion.seconds_to_decision <= 150
    assert suggestion.discard_reason == ""


def test_sending_an_edited_draft_records_edited_with_its_similarity(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    suggestion = shown(tenant_a, suggestion)
    # The draft's opening sentence (the paragraph after the greeting), rewritten.
    sentence = re.search(r"\n\n([^\n\[]+\.)", suggestion.text).group(1)
    body = suggestion.text.replace(sentence, "Votre demande a retenu toute notre attention.")
    assert body != suggestion.text
    reply = send(tenant_a, case, body, django_capture_on_commit_callbacks)
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.EDITED
    assert 0.4 <= suggestion.similarity < 1
    assert suggestion.reply_id == reply.pk
    assert suggestion.seconds_to_decision is not None
    assert suggestion.discard_reason == ""


def test_sending_an_unrelated_reply_records_discarded_not_used(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    suggestion = shown(tenant_a, suggestion)
    reply = send(
        tenant_a, case, "Merci de nous rappeler au 3230.", django_capture_on_commit_callbacks
    )
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.DISCARDED
    assert suggestion.discard_reason == Suggestion.DiscardReason.NOT_USED
    assert suggestion.similarity < 0.4
    assert suggestion.reply_id == reply.pk


def test_a_never_shown_draft_gets_no_decision_when_a_reply_is_sent(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    send(tenant_a, case, suggestion.text, django_capture_on_commit_callbacks)
    suggestion.refresh_from_db()
    assert suggestion.decision == ""
    assert suggestion.reply_id is None
    assert suggestion.similarity is None
    assert suggestion.decided_at is None


def test_the_decision_goes_to_the_latest_shown_draft(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, first = ready
    shown(tenant_a, first)
    with django_capture_on_commit_callbacks(execute=True):
        second = suggestion_services.suggestion_request(actor=tenant_a.agent, case=case)
    second.refresh_from_db()
    second = shown(tenant_a, second)
    send(tenant_a, case, second.text, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.decision == Suggestion.Decision.ACCEPTED
    assert first.decision == ""


# --- explicit discard -----------------------------------------------------------------------


def test_an_explicit_discard_keeps_its_reason_when_a_reply_follows(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    shown(tenant_a, suggestion, seconds_ago=30)
    discarded = suggestion_services.suggestion_discard(
        actor=tenant_a.agent, suggestion=suggestion, reason="outdated", comment="  Barème 2025  "
    )
    assert discarded.decision == Suggestion.Decision.DISCARDED
    assert discarded.discard_reason == Suggestion.DiscardReason.OUTDATED
    assert discarded.discard_comment == "Barème 2025"
    assert discarded.decided_by_id == tenant_a.agent.pk
    assert 29 <= discarded.seconds_to_decision <= 90
    decided_at = discarded.decided_at

    send(tenant_a, case, suggestion.text, django_capture_on_commit_callbacks)
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.DISCARDED
    assert suggestion.discard_reason == Suggestion.DiscardReason.OUTDATED
    assert suggestion.decided_at == decided_at
    assert suggestion.reply_id is None
    assert suggestion.similarity is None


def test_other_with_a_comment_is_accepted(tenant_a, ready):
    _case, suggestion = ready
    discarded = suggestion_services.suggestion_discard(
        actor=tenant_a.agent, suggestion=suggestion, reason="other", comment="Hors sujet"
    )
    assert discarded.discard_reason == Suggestion.DiscardReason.OTHER
    assert discarded.discard_comment == "Hors sujet"
    assert discarded.seconds_to_decision is None  # never shown: no clock


@pytest.mark.parametrize(
    ("reason", "comment", "field"),
    [
        ("", "", "reason"),
        ("bof", "", "reason"),
        ("not_used", "", "reason"),  # derived from the reply, never chosen
        ("other", "", "comment"),
        ("other", "   ", "comment"),
    ],
)
def test_a_discard_with_a_bad_reason_is_refused_and_writes_nothing(
    tenant_a, ready, reason, comment, field
):
    _case, suggestion = ready
    before = row(suggestion)
    with pytest.raises(ValidationError) as excinfo:
        suggestion_services.suggestion_discard(
            actor=tenant_a.agent, suggestion=suggestion, reason=reason, comment=comment
        )
    assert field in excinfo.value.message_dict
    assert row(suggestion) == before


def test_a_draft_is_discarded_once(tenant_a, ready):
    _case, suggestion = ready
    suggestion_services.suggestion_discard(
        actor=tenant_a.agent, suggestion=suggestion, reason="wrong"
    )
    before = row(suggestion)
    with pytest.raises(ValidationError):
        suggestion_services.suggestion_discard(
            actor=tenant_a.agent, suggestion=suggestion, reason="tone"
        )
    assert row(suggestion) == before


# --- new drafts on request ------------------------------------------------------------------


def test_requesting_a_new_draft_adds_one_and_keeps_the_first(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, first = ready
    before = row(first)
    with django_capture_on_commit_callbacks(execute=True):
        second = suggestion_services.suggestion_request(actor=tenant_a.agent, case=case)
    assert second.sequence == 2
    assert second.requested_by_id == tenant_a.agent.pk
    second.refresh_from_db()
    assert second.status == Suggestion.Status.READY
    assert second.text
    assert row(first) == before
    assert list(
        Suggestion.objects.filter(case=case).order_by("sequence").values_list("sequence", flat=True)
    ) == [1, 2]
    assert selectors.current_suggestion(case) == second


@pytest.mark.parametrize("status", [Suggestion.Status.PENDING, Suggestion.Status.RUNNING])
def test_requesting_while_a_draft_is_in_flight_returns_it(tenant_a, ready, status):
    case, _first = ready
    # Outside the commit-callback capture the task is not run: the draft stays pending.
    in_flight = suggestion_services.suggestion_request(actor=tenant_a.agent, case=case)
    Suggestion.objects.filter(pk=in_flight.pk).update(status=status)
    again = suggestion_services.suggestion_request(actor=tenant_a.manager, case=case)
    assert again.pk == in_flight.pk
    assert Suggestion.objects.filter(case=case).count() == 2


def test_no_new_draft_for_a_closed_case(tenant_a, ready):
    case, _ = ready
    case = case_services.case_transition(actor=tenant_a.agent, case=case, action="close")
    with pytest.raises(ValidationError):
        suggestion_services.suggestion_request(actor=tenant_a.agent, case=case)
    assert Suggestion.objects.filter(case=case).count() == 1


# --- tenancy --------------------------------------------------------------------------------


def test_an_agent_of_another_administration_cannot_touch_the_draft(tenant_a, tenant_b, ready):
    case, suggestion = ready
    before = row(suggestion)
    outsider = tenant_b.agent
    with pytest.raises(Suggestion.DoesNotExist):
        suggestion_services.suggestion_mark_shown(actor=outsider, suggestion=suggestion)
    with pytest.raises(Suggestion.DoesNotExist):
        suggestion_services.suggestion_discard(
            actor=outsider, suggestion=suggestion, reason="wrong"
        )
    with pytest.raises(Case.DoesNotExist):
        suggestion_services.suggestion_request(actor=outsider, case=case)
    with pytest.raises(Suggestion.DoesNotExist):
        selectors.suggestion_get(outsider, suggestion.pk)
    assert row(suggestion) == before
    assert Suggestion.objects.filter(case=case).count() == 1
