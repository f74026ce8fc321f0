"""What ``bench_drafting`` times for a draft: the answer bank filled to its cap, then the
retrieval path a draft takes (bank candidates, fiches, unit similarities), part by part.

Past answers reach a draft only through the bounded bank, so none of this may grow with the
administration's history. The drafting pipeline calls exactly these functions, in this order:
``prefetch_question`` (the question's vector computed in the background while the database
answers), ``bank_candidates``, ``retrieve_fiches``, ``embed_question`` (by then a cache hit)
and ``unit_similarities`` over every unit of the fiches found.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import Administration
from cases.models import Case, Reply
from drafting.answers.cleaning import anonymise, reusable_body
from drafting.answers.models import BankAnswer
from drafting.answers.selectors import bank_candidates, bank_settings
from drafting.knowledge.retrieval import (
    embed_question,
    prefetch_question,
    retrieve_fiches,
    unit_similarities,
)
from drafting.knowledge.units import split_units

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
            "bank (bank_candidates)": [],
            "fiches (retrieve_fiches)": [],
            "units (embed_question + similarities)": [],
            "whole retrieval path": [],
        }
    )
    cpu: list[float] = field(default_factory=list)
    units: int = 0
    candidates: int = 0
    bank_questions: int = 0
    covered: int = 0
    right_first: int = 0


def time_retrieval_path(
    administration: Administration,
    rng: random.Random,
    *,
    warmup: int,
    drafts: int,
    cpu_clock: Callable[[], float],
) -> PathTimings:
    """Time ``drafts`` retrieval paths (after ``warmup`` untimed ones) on the labelled usager
    questions, one in ``BANK_QUESTION_EVERY`` replaced by a known question reworded."""
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
            question, item = f"{known.subject}\n{known.body}", {}
        else:
            subject, body, _name = benchdata.new_question(rng, item)
            question = f"{subject}\n{body}"
        cpu = cpu_clock()
        started = time.perf_counter()
        prefetch_question(question)
        found = bank_candidates(administration, question, k=3)
        after_bank = time.perf_counter()
        fiches = retrieve_fiches(question, administration_id=administration.pk, articles=3)
        after_fiches = time.perf_counter()
        vector = embed_question(question)
        keys = [
            (passage.passage_id, unit.position)
            for article in fiches
            for passage in article.passages
            for unit in split_units(passage.text)
        ]
        similarities = unit_similarities(vector, keys)
        ended = time.perf_counter()
        cpu = cpu_clock() - cpu
        if number < warmup:
            continue
        timings.parts["bank (bank_candidates)"].append((after_bank - started) * 1000)
        timings.parts["fiches (retrieve_fiches)"].append((after_fiches - after_bank) * 1000)
        timings.parts["units (embed_question + similarities)"].append((ended - after_fiches) * 1000)
        timings.parts["whole retrieval path"].append((ended - started) * 1000)
        timings.cpu.append(cpu)
        timings.units += len(similarities)
        timings.bank_questions += from_bank
        timings.candidates += bool(found)
        if item.get("covered") and item.get("expected_sources"):
            timings.covered += 1
            timings.right_first += (
                bool(fiches) and fiches[0].external_id in item["expected_sources"]
            )
    return timings
