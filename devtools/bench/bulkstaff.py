"""The bulk administrations of the generator: codes, sizes, staff and experiment periods.

``BULK01``… are benchmark administrations of very different sizes (``sizes``: a Zipf-like
spread, the largest holds about a fifth of the cases). ``staff_administration`` creates (or
reuses) one of them with its agents (one per ``CASES_PER_AGENT`` cases, at least four; half of
them approved volunteers), a manager, an administrator and two experiment periods over the last
``EXPERIMENT_DAYS`` (one ended, one running).

The benchmark commands and the tests find the generated administrations here
(``administration_code``, ``bulk_administrations``, ``largest_administration``); the rows of
their cases are written by ``bulkrows.py``, driven by ``bulkdata.py``. Application code never
imports this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts import services as account_services
from accounts.models import Administration, ConsentText, Enrolment, Role, User
from devtools.bench.common import bench_administration, bench_member
from drafting.models import ExperimentPeriod

CODE_PREFIX = "BULK"
NAME_PREFIX = "Banc d'essai national"
CASES_PER_AGENT = 5_000
# The experiment (two periods) covers the last year; a longer history (``years``) has cases
# before it, without arm or draft.
EXPERIMENT_DAYS = 365
ASSISTED_SHARE = 0.5


@dataclass
class BulkAdministration:
    administration: Administration
    cases: int
    agents: list[int]
    volunteers: int  # the first ``volunteers`` of ``agents`` volunteered
    manager: User
    periods: tuple[ExperimentPeriod, ExperimentPeriod]


def sizes(total: int, administrations: int) -> list[int]:
    """``total`` split over ``administrations`` with weights 1/k^0.8, largest first."""
    weights = [1 / (k**0.8) for k in range(1, administrations + 1)]
    scale = total / sum(weights)
    out = [int(w * scale) for w in weights]
    out[0] += total - sum(out)
    return out


def administration_code(index: int) -> str:
    return f"{CODE_PREFIX}{index:02d}"


def bulk_administrations(count: int) -> list[Administration]:
    codes = [administration_code(k) for k in range(1, count + 1)]
    return list(Administration.objects.filter(code__in=codes).order_by("code"))


def largest_administration() -> Administration | None:
    return Administration.objects.filter(code=administration_code(1)).first()


def staff_administration(index: int, cases: int, now: dt.datetime) -> BulkAdministration:
    code = administration_code(index)
    administration = bench_administration(code, f"{NAME_PREFIX} {index:02d}")
    agent_count = max(4, round(cases / CASES_PER_AGENT))
    agents = [
        bench_member(administration, f"agent{n}", "Agent", f"Banc {n}", Role.AGENT)
        for n in range(1, agent_count + 1)
    ]
    manager = bench_member(administration, "manager", "Manager", "Banc", Role.MANAGER)
    bench_member(administration, "admin", "Administrateur", "Banc", Role.ADMINISTRATOR)
    volunteers = agent_count // 2
    consent = ConsentText.objects.filter(administration=administration).order_by("-version").first()
    for user in agents[:volunteers]:
        if Enrolment.objects.filter(
            user=user, administration=administration, status=Enrolment.Status.APPROVED
        ).exists():
            continue
        if consent is None:
            consent = account_services.consent_publish(
                administration=administration, text="Je participe à l'expérimentation."
            )
        enrolment = account_services.enrolment_request(
            actor=user, administration=administration, consent=consent
        )
        account_services.enrolment_decide(actor=None, enrolment=enrolment, approve=True)
    periods = list(
        ExperimentPeriod.objects.filter(
            administration=administration, seed__startswith="bulk-"
        ).order_by("started_at")
    )
    if len(periods) != 2:
        middle = now - dt.timedelta(days=EXPERIMENT_DAYS // 2)
        periods = [
            ExperimentPeriod.objects.create(
                administration=administration,
                assisted_share=ASSISTED_SHARE,
                seed="bulk-1",
                backend="offline",
                started_at=now - dt.timedelta(days=EXPERIMENT_DAYS + 1),
                ended_at=middle,
            ),
            ExperimentPeriod.objects.create(
                administration=administration,
                assisted_share=ASSISTED_SHARE,
                seed="bulk-2",
                backend="offline",
                started_at=middle,
            ),
        ]
    return BulkAdministration(
        administration=administration,
        cases=cases,
        agents=[user.pk for user in agents],
        volunteers=volunteers,
        manager=manager,
        periods=(periods[0], periods[1]),
    )
