"""What ``bench_drafting`` times for a draft: the answer bank filled to its cap, then the
retrieval path a draft takes, through the pipeline's own functions: ``sources.gather`` (the
question embedded once, in the background while the database answers; the bank's candidates
by words and by meaning; the fiches; the units' similarities) and the evidence (``compose``).

Past answers reach a draft only through the bounded bank, so none of this may grow with the
administration's history.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Administration
from cases.models import Case, Reply
from drafting.answers.cleaning import anonymise, reusable_body
from drafting.answers.models import BankAnswer
from drafting.answers.selectors import bank_settings
from drafting.suggestions.compose import compose
from drafting.suggestions.sources import gather

from . import benchdata

# One draft in this many asks again a question the bank holds (in other words).
BANK_QUESTION_EVERY = 4


def fill_bank(administration: Administration, history: QuerySet[Case], rng: random.Random) -> int:
    """Fill the bank to ``ANSWER_BANK_CAP`` with learned answers made from the newest answered
    cases (cleaned as the bank cleans them); returns the number of active answers."""
    active = BankAnswer.objects.filter(
        administration=administration, status=BankAnswer.Status.ACTIVE
    )
    missing = bank_settings().cap - active.count()
    if missing <= 0:
        return active.count()
    taken = set(
        BankAnswer.objects.filter(administration=administration).values_list(
            "source_case_id", flat=True
        )
    )
    cases = list(
        history.exclude(pk__in=[pk for pk in taken if pk])
        .order_by("-answered_at")
        .values_list("pk", "subject", "body", "usager_name", "topic_id")[: missing * 2]
    )
    replies = dict(
        Reply.objects.filter(case__in=[row[0] for row in cases]).values_list("case_id", "body")
    )
    rows: list[BankAnswer] = []
    seen: set[str] = set()
    for pk, subject, body, name, topic_id in cases:
        question = anonymise(f"{subject}\n{body}", known_names=[name]).strip()
        answer = reusable_body(
            replies.get(pk, ""),
            closing=administration.closing,
            signature=administration.signature or administration.name,
            known_names=[name],
        )
        if not question or not answer or question in seen:
            continue
        seen.add(question)
        rows.append(
            BankAnswer(
                administration=administration,
                topic_id=topic_id,
                kind=BankAnswer.Kind.LEARNED,
                question=question,
                answer=answer,
                source_case_id=pk,
                quality=round(rng.uniform(0.4, 0.9), 2),
            )
        )
        if len(rows) >= missing:
            break
    BankAnswer.objects.bulk_create(rows, batch_size=500)
    return active.count()


@dataclass
class PathTimings:
    parts: dict[str, list[float]] = field(
        default_factory=lambda: {
            "sources (sources.gather)": [],
            "evidence (compose)": [],
            "whole retrieval path": [],
        }
    )
    cpu: list[float] = field(default_factory=list)
    units: int = 0
    candidates: int = 0
    bank_questions: int = 0
    covered: int = 0
    right_first: int = 0
    abstained: int = 0


def time_retrieval_path(
    administration: Administration,
    rng: random.Random,
    *,
    warmup: int,
    drafts: int,
    cpu_clock: Callable[[], float],
) -> PathTimings:
    """Time ``drafts`` retrieval paths (after ``warmup`` untimed ones) on the labelled usager
    questions, one in ``BANK_QUESTION_EVERY`` replaced by a known question reworded.

    The path is the pipeline's own, what ``Suggestion.retrieval_ms`` measures: the sources
    (``sources.gather``: the bank by words and by meaning, the fiches, the units' similarities,
    the fiches' vocabulary) and the evidence (``compose``) that decides whether to abstain.
    """
    questions = benchdata.load_questions(benchdata.EVAL_QUESTIONS)
    order = list(range(len(questions)))
    rng.shuffle(order)
    now = dt.datetime.now(dt.UTC)
    timings = PathTimings()
    for number in range(warmup + drafts):
        item = questions[order[number % len(order)]]
        from_bank = number % BANK_QUESTION_EVERY == BANK_QUESTION_EVERY - 1
        if from_bank:
            known = benchdata.answered_case(rng, now, closing="", signature="")
            subject, body, item = known.subject, known.body, {}
        else:
            subject, body, _name = benchdata.new_question(rng, item)
        case = Case(administration=administration, subject=subject, body=body)
        question = f"{subject}\n{body}"
        cpu = cpu_clock()
        started = time.perf_counter()
        gathered = gather(case, question)
        after_sources = time.perf_counter()
        evidence = compose(
            question,
            gathered.for_composer(),
            gathered.unit_similarity,
            min_similarity=settings.DRAFTING_MIN_SIMILARITY,
            context=gathered.context,
        )
        ended = time.perf_counter()
        cpu = cpu_clock() - cpu
        if number < warmup:
            continue
        timings.parts["sources (sources.gather)"].append((after_sources - started) * 1000)
        timings.parts["evidence (compose)"].append((ended - after_sources) * 1000)
        timings.parts["whole retrieval path"].append((ended - started) * 1000)
        timings.cpu.append(cpu)
        timings.units += len(gathered.unit_similarity)
        timings.bank_questions += from_bank
        timings.candidates += any(s.kind == "answer" for s in gathered.sources)
        timings.abstained += evidence.abstained
        fiches = [s.ref.get("external_id") for s in gathered.sources if s.kind == "passage"]
        if item.get("covered") and item.get("expected_sources"):
            timings.covered += 1
            timings.right_first += bool(fiches) and fiches[0] in item["expected_sources"]
    return timings
