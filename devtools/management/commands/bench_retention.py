"""Measure the retention purge on the bulk data (generate_bulk_data): cases anonymised per
second, and what an agent feels meanwhile (an inbox page and a reply, timed before and during
the purge). Anonymises the bulk administration's oldest closed cases: bench data only."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Administration, Membership, Role
from cases import selectors
from cases import services as case_services
from cases.models import Case, Status
from cases.retention.services import retention_purge
from devtools.bench.bulkstaff import largest_administration
from devtools.bench.common import require_postgresql

HOST = "localhost"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(share * len(ordered) + 0.999999) - 1, 0)]


class Command(BaseCommand):
    help = "Time the retention purge on the largest bulk administration, and an agent meanwhile."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=20_000, help="cases to anonymise")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--probes", type=int, default=15, help="agent requests timed")

    def handle(self, *args, **options):
        require_postgresql("bench_retention", allow_sqlite=False)
        administration = largest_administration()
        if administration is None:
            raise CommandError("No bulk administration: run generate_bulk_data first.")
        membership = (
            Membership.objects.filter(administration=administration, role=Role.AGENT)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise CommandError(f"No agent in {administration.code}: run generate_bulk_data first.")
        agent = membership.user
        with override_settings(DEBUG=False):
            before = self._agent(administration, agent, options["probes"])
            result: dict = {}
            as_of = timezone.now() + dt.timedelta(days=730)  # every closed case is due

            def purge() -> None:
                started = time.perf_counter()
                result["cases"] = retention_purge(
                    now=as_of,
                    batch_size=options["batch_size"],
                    max_batches=max(1, options["cases"] // options["batch_size"]),
                    administrations=Administration.objects.filter(pk=administration.pk),
                )
                result["seconds"] = time.perf_counter() - started
                connections.close_all()

            worker = threading.Thread(target=purge)
            worker.start()
            during = self._agent(administration, agent, options["probes"], until=worker)
            worker.join()
        load = os.getloadavg()[0]
        self.stdout.write(
            f"Retention purge ({administration.code}, batches of {options['batch_size']}; load "
            f"average {load:.1f} on {os.cpu_count()} CPUs): {result['cases']:,} cases in "
            f"{result['seconds']:.1f} s = {result['cases'] / result['seconds']:,.0f} cases/s"
        )
        self.stdout.write("Agent meanwhile (ms, median / p95 / max):")
        for label in ("inbox", "reply"):
            for name, timings in (("before", before[label]), ("during", during[label])):
                if timings:
                    self.stdout.write(
                        f"  {label:<6} {name:<7} {statistics.median(timings):7.1f} "
                        f"{percentile(timings, 0.95):7.1f} {max(timings):7.1f} "
                        f"({len(timings)} requests)"
                    )

    def _agent(self, administration, agent, probes: int, until: threading.Thread | None = None):
        client = Client(SERVER_NAME=HOST)
        client.force_login(agent, backend=MODEL_BACKEND)
        timings: dict[str, list[float]] = {"inbox": [], "reply": []}
        url = reverse("cases:inbox") + "?box=mine"
        done = 0
        while done < probes or (until is not None and until.is_alive()):
            selectors.box_counts_forget(administration)
            started = time.perf_counter()
            if client.get(url).status_code != 200:
                raise CommandError("The inbox did not answer 200.")
            timings["inbox"].append((time.perf_counter() - started) * 1000)
            case = (
                Case.objects.filter(
                    administration=administration,
                    assignee=agent,
                    status__in=[Status.ASSIGNED, Status.IN_PROGRESS],
                )
                .order_by("pk")
                .first()
            )
            if case is not None:
                started = time.perf_counter()
                case_services.case_send_reply(
                    actor=agent,
                    case=case,
                    body="Bonjour,\n\nVoici la réponse.\n\nCordialement.",
                )
                timings["reply"].append((time.perf_counter() - started) * 1000)
            done += 1
            if until is not None and not until.is_alive() and done >= probes:
                break
        connection.close()
        return timings
