"""The first steps of a new administration, in the order an administrator takes them, each with
whether it is done: shown on the home page until the required ones are.

It lives in drafting because two of the steps (knowledge, experiment) are drafting's tables;
the home page (cases) reaches it through a template tag, never a Python import."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration, ConsentText, Membership, Role
from cases.models import Mailbox

from ..models import ExperimentPeriod, KnowledgeArticle
from .selectors import experiment_has_volunteer


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    hint: str | Promise
    url: str
    done: bool
    optional: bool = False


def getting_started_steps(administration: Administration) -> list[Step]:
    """Each step's ``done`` is what the data says, not a box the administrator ticks: a step
    undone later (the last agent deactivated) shows as to do again."""
    # Invited is enough: the step is inviting them (an invitation waits for its person).
    has_members = Membership.objects.filter(
        Q(is_active=True) | Q(pending=True),
        administration=administration,
        role__in=(Role.AGENT, Role.MANAGER),
    ).exists()
    # National fiches (imported by the operator) are enough for drafts to answer from.
    has_knowledge = KnowledgeArticle.objects.filter(
        Q(administration=administration) | Q(administration__isnull=True), is_active=True
    ).exists()
    has_mailbox = Mailbox.objects.filter(administration=administration, is_active=True).exists()
    has_consent = ConsentText.objects.filter(administration=administration).exists()
    has_period = ExperimentPeriod.objects.filter(administration=administration).exists()
    return [
        Step(
            key="members",
            title=_("Invite your agents and managers"),
            hint=_("Each one receives an e-mail to choose their password; give each a role."),
            url=reverse("accounts:members"),
            done=has_members,
        ),
        Step(
            key="signature",
            title=_("Write the signature of your replies"),
            hint=_("Service, address, opening hours: the last lines of every draft and reply."),
            url=reverse("cases:settings"),
            done=bool(administration.signature.strip()),
        ),
        Step(
            key="knowledge",
            title=_("Import or write your knowledge"),
            hint=_(
                "The drafts answer from the national fiches and your own articles: import "
                "service-public.fr XML fiches or Markdown files, or write articles."
            ),
            url=reverse("drafting:knowledge"),
            done=has_knowledge,
        ),
        Step(
            key="mailbox",
            title=_("Connect the mailbox usagers write to"),
            hint=_("Without it, cases arrive through the API and the channels only."),
            url=reverse("cases:mail_settings"),
            done=has_mailbox,
            optional=True,
        ),
        Step(
            key="volunteers",
            title=_("Publish the consent text and enrol volunteers"),
            hint=_("Drafts are shown only to agents who accepted the consent text themselves."),
            url=reverse("accounts:enrolments"),
            done=has_consent and experiment_has_volunteer(administration),
        ),
        Step(
            key="experiment",
            title=_("Start the experiment"),
            hint=_("Choose the share of new cases that receive a draft; the others are compared."),
            url=reverse("drafting:experiment"),
            done=has_period,
        ),
    ]


def getting_started_pending(administration: Administration) -> list[Step]:
    """The steps to show: all of them while a required one is not done, none after."""
    steps = getting_started_steps(administration)
    if all(step.done for step in steps if not step.optional):
        return []
    return steps
