"""One write path and one vocabulary for drafting (issue 11).

The Django admin cannot edit knowledge articles, case arms or drafts (it would skip the
re-indexing and the journal); a new experiment period made there goes through the service and
is journaled. Every journal action drafting writes is a registered member of
``DraftingAuditAction``, and every drafting page and API endpoint declares its access rule.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import rule_of
from accounts.journal import is_registered
from accounts.models import AuditEntry
from drafting.audit_actions import DraftingAuditAction
from drafting.experiment import services as experiment_services
from drafting.knowledge import services as knowledge_services
from drafting.models import CaseArm, ExperimentPeriod, KnowledgeArticle, Suggestion
from drafting.suggestions import services as suggestion_services
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# --- the admin ----------------------------------------------------------------------------------


def test_admin_shows_a_knowledge_article_but_cannot_change_it(staff, vitale_article):
    vitale_article = KnowledgeArticle.objects.get()
    url = f"/admin/drafting/knowledgearticle/{vitale_article.pk}/change/"
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"title": "Changé en douce", "body": "Rien."})
    assert response.status_code == 403
    vitale_article.refresh_from_db()
    assert vitale_article.title != "Changé en douce"
    assert staff.get("/admin/drafting/knowledgearticle/add/").status_code == 403
    delete = f"/admin/drafting/knowledgearticle/{vitale_article.pk}/delete/"
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert KnowledgeArticle.objects.filter(pk=vitale_article.pk).exists()


def test_admin_cannot_change_case_arms_nor_drafts(staff, tenant_a):
    experiment_services.experiment_start(
        actor=None, administration=tenant_a.administration, assisted_share="1"
    )
    case = make_case(tenant_a.administration)
    suggestion_services.suggestion_create_for_new_case(case_id=case.pk)
    arm = CaseArm.objects.get(case=case)
    suggestion = Suggestion.objects.get(case=case)
    for url in (
        f"/admin/drafting/casearm/{arm.pk}/change/",
        f"/admin/drafting/suggestion/{suggestion.pk}/change/",
    ):
        assert staff.get(url).status_code == 200  # a view page, read-only
        assert staff.post(url, {}).status_code == 403
    for url in ("/admin/drafting/casearm/add/", "/admin/drafting/suggestion/add/"):
        assert staff.get(url).status_code == 403
    assert (
        staff.post(f"/admin/drafting/casearm/{arm.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert CaseArm.objects.filter(pk=arm.pk).exists()


def test_admin_starts_a_period_through_the_service_and_the_journal(staff, tenant_a):
    administration = tenant_a.administration
    response = staff.post(
        "/admin/drafting/experimentperiod/add/",
        {
            "administration": administration.pk,
            "assisted_share": "0.4",
            "backend": "offline",
            "model_name": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    period = ExperimentPeriod.objects.get(administration=administration, ended_at__isnull=True)
    assert str(period.assisted_share) == "0.400"
    assert period.seed  # drawn by the service, not left empty by the form
    entry = AuditEntry.objects.get(administration=administration, action="experiment.started")
    assert entry.actor is not None and entry.actor.is_superuser


# --- the vocabulary -----------------------------------------------------------------------------


def test_every_drafting_action_is_registered_with_a_label():
    for action in DraftingAuditAction:
        assert is_registered(action.value)
        assert str(action.label) and str(action.label) != action.value


def test_drafting_writes_only_registered_actions(tenant_a, tmp_path):
    administration, admin = tenant_a.administration, tenant_a.administrator
    experiment_services.experiment_start(
        actor=admin, administration=administration, assisted_share="0.5"
    )
    experiment_services.experiment_start(
        actor=admin, administration=administration, assisted_share="0.6"
    )
    experiment_services.experiment_stop(actor=admin, administration=administration)
    article = knowledge_services.article_write(
        actor=admin, administration=administration, title="Horaires", body="Ouvert le lundi."
    )
    knowledge_services.article_write(
        actor=admin,
        administration=administration,
        article=article,
        title="Horaires d'été",
        body="Ouvert le lundi.",
    )
    knowledge_services.article_retire(
        actor=admin, administration=administration, article=article, active=False
    )
    knowledge_services.article_retire(
        actor=admin, administration=administration, article=article, active=True
    )
    written = set(
        AuditEntry.objects.filter(administration=administration)
        .exclude(category__in=["membership", "enrolment"])
        .values_list("action", flat=True)
    )
    assert written <= set(DraftingAuditAction.values)
    assert written == set(DraftingAuditAction.values) - {"knowledge.imported"}


# --- the door -----------------------------------------------------------------------------------

# The impact report's routes are the reporting room's to declare.
IMPACT_ROUTES = {"drafting:impact", "api-impact"}


def _drafting_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _drafting_routes(pattern, inner)
        elif isinstance(pattern, URLPattern):
            module = getattr(pattern.callback, "__module__", "") or ""
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None:
                module = view_class.__module__
            if module.startswith("drafting."):
                yield f"{namespace}{pattern.name}", pattern.callback


def test_every_drafting_route_declares_its_access_rule():
    routes = {name: view for name, view in _drafting_routes() if name not in IMPACT_ROUTES}
    assert len(routes) >= 18
    missing = sorted(name for name, view in routes.items() if rule_of(view) is None)
    assert not missing, missing
