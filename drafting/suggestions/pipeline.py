"""The drafting pipeline (ARCHITECTURE §4): claim, retrieve, pseudonymise, prompt, model,
validate, re-identify, store.

The model is called outside any database transaction: the claim and the result are two
short writes around it. Remote failures (timeout, 429, 5xx, invalid output) are retried with
backoff, then fall back to the offline model; the suggestion records what happened.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableLambda

from cases.models import Case
from drafting.answers.services import bank_answer_record_use
from drafting.experiment.selectors import running_period
from drafting.grounding import injection_signals, verify_citations

from .backends import (
    OFFLINE_MODEL_NAME,
    OfflineDraftModel,
    build_chat_model,
    intro_for_confidence,
)
from .compose import Composition, compose
from .judgement import LOW_CONFIDENCE, EvidenceContext
from .models import Suggestion
from .prompts import PROMPT, PROMPT_VERSION, SYSTEM, Source, prompt_inputs
from .pseudonymise import find_leftover_placeholders, pseudonymise, reidentify
from .sources import Gathered, gather

logger = logging.getLogger(__name__)

MIN_DRAFT_CHARS = 120
# A draft whose main claims are not found in the sources it cites is shown as low confidence.
UNSUPPORTED_CONFIDENCE = 0.3
MAX_DRAFT_CHARS = 8_000
# A reply marked as not covered is short (rule 4 of the prompt): greeting, a few sentences,
# closing and signature.
NOT_COVERED_MAX_CHARS = 1_500
_CITATION_RE = re.compile(r"\[(\d{1,3})\]")
# The model's "the sources do not answer" mark (prompts.NOT_COVERED_MARK), as models write it:
# bold or not, with a space instead of the underscore, in any case.
_NOT_COVERED_RE = re.compile(
    r"\**\s*\[\s*NON[ _]COUVERT\s*\]\s*\**",
    re.IGNORECASE,
)


class DraftValidationError(ValueError):
    """The model's output cannot be shown to an agent as it is."""


def split_not_covered(text: str) -> tuple[str, bool]:
    """``text`` without the model's not-covered mark, and whether the reply opens with it (the
    prompt asks for it on a first line; a mark further down, say one the usager's message
    asked for, is removed but does not make an abstention). A line holding only the mark goes
    with it: the mark never reaches the agent or the usager."""
    opening = text.lstrip().split("\n", 1)[0].strip()
    opens_with_mark = bool(_NOT_COVERED_RE.match(opening))
    if not opens_with_mark and not _NOT_COVERED_RE.search(text):
        return text, False
    lines = [
        " ".join(_NOT_COVERED_RE.sub(" ", line).split()) if _NOT_COVERED_RE.search(line) else line
        for line in text.splitlines()
        if not _NOT_COVERED_RE.fullmatch(line.strip())
    ]
    return "\n".join(lines).strip(), opens_with_mark


def validate_draft(
    text: str, *, source_count: int, mapping: dict[str, str], require_citation: bool
) -> str:
    """Check a draft written with placeholders; return it re-identified."""
    text = text.strip()
    if not MIN_DRAFT_CHARS <= len(text) <= MAX_DRAFT_CHARS:
        raise DraftValidationError(f"draft length {len(text)} outside bounds")
    cited = {int(n) for n in _CITATION_RE.findall(text)}
    unknown = sorted(n for n in cited if not 1 <= n <= source_count)
    if unknown:
        raise DraftValidationError(f"cites sources that were not provided: {unknown}")
    if require_citation and source_count and not cited:
        raise DraftValidationError("cites none of the provided sources")
    restored = reidentify(text, mapping)
    leftovers = find_leftover_placeholders(restored)
    if leftovers:
        raise DraftValidationError(f"placeholders left in the draft: {leftovers[:5]}")
    return restored


@dataclass
class DraftResult:
    text: str
    backend: str
    model_name: str
    fell_back: bool
    error: str
    prompt_tokens: int | None
    completion_tokens: int | None
    # How sure the draft is (0..1), whether it abstained, what the citation check found, and
    # the model answer of the bank it reuses (see Suggestion).
    confidence: float | None = None
    abstained: bool = False
    verification: dict[str, Any] = field(default_factory=dict)
    reused_answer_id: int | None = None


def _finish(backend: str, model_name: str, validate) -> RunnableLambda:
    def finish(message: AIMessage) -> dict[str, Any]:
        usage = message.usage_metadata or {}
        meta_model = (message.response_metadata or {}).get("model_name") or model_name
        # A model that says the sources do not answer writes no citation, by the prompt's rule 4:
        # its reply is an abstention, not a malformed draft to retry.
        text, not_covered = split_not_covered(str(message.content))
        if not_covered and len(text) > NOT_COVERED_MAX_CHARS:
            # An abstention is short (rule 4): a long uncited text under the mark is refused.
            raise DraftValidationError(f"an abstention of {len(text)} characters")
        return {
            "text": validate(text, require_citation=backend != "offline" and not not_covered),
            "not_covered": not_covered,
            "backend": backend,
            "model_name": meta_model,
            "prompt_tokens": usage.get("input_tokens"),
            "completion_tokens": usage.get("output_tokens"),
        }

    return RunnableLambda(finish)


def build_chain(
    *,
    backend: str,
    model_name: str,
    source_count: int,
    mapping: dict[str, str],
    unit_similarity: dict[tuple[int, int], float] | None = None,
    context: EvidenceContext | None = None,
) -> Runnable:
    """prompt | model | validation, retried, with the offline model as the fallback."""

    def validate(text: str, *, require_citation: bool) -> str:
        return validate_draft(
            text, source_count=source_count, mapping=mapping, require_citation=require_citation
        )

    offline = (
        PROMPT
        | OfflineDraftModel(
            unit_similarity=unit_similarity,
            min_similarity=settings.DRAFTING_MIN_SIMILARITY,
            context=context,
        )
        | _finish("offline", OFFLINE_MODEL_NAME, validate)
    )
    if backend == "offline":
        return offline
    try:
        model = build_chat_model(backend, model_name)
    except ValueError as exc:
        # The period chose a backend the platform no longer serves (its endpoint was removed
        # from the settings): the offline drafter writes, recorded as a fallback.
        unavailable = exc
        logger.warning("drafting backend %s unavailable: %s", backend, unavailable)

        def offline_instead(inputs: dict[str, Any]) -> dict[str, Any]:
            result = offline.invoke(inputs)
            error = f"{type(unavailable).__name__}: {unavailable}"[:2000]
            return {**result, "fell_back": True, "error": error}

        return RunnableLambda(offline_instead)
    primary = (PROMPT | model | _finish(backend, model_name, validate)).with_retry(
        stop_after_attempt=1 + settings.DRAFTING_OPENAI_MAX_RETRIES,
        wait_exponential_jitter=True,
        exponential_jitter_params={  # type: ignore[typeddict-unknown-key]
            # tenacity renamed "initial" to "multiplier"; jitter defaults to a whole second.
            "multiplier": settings.DRAFTING_RETRY_INITIAL_WAIT,
            "jitter": settings.DRAFTING_RETRY_INITIAL_WAIT,
            "max": settings.DRAFTING_RETRY_MAX_WAIT,
        },
    )

    def fallback(inputs: dict[str, Any]) -> dict[str, Any]:
        error = inputs.pop("error", None)
        logger.warning("drafting backend %s failed, falling back to offline: %r", backend, error)
        result = offline.invoke(inputs)
        return {**result, "fell_back": True, "error": f"{type(error).__name__}: {error}"[:2000]}

    return primary.with_fallbacks([RunnableLambda(fallback)], exception_key="error")


def _backend_for(case: Case) -> tuple[str, str]:
    period = running_period(case.administration_id)
    if period is not None and period.backend:
        return period.backend, period.model_name
    return settings.DRAFTING_BACKEND, ""


@dataclass
class Reading:
    """What a draft starts from: the case's subject and message pseudonymised, the sources
    gathered for them, and the evidence of whether the documentation answers at all."""

    subject: str
    body: str
    mapping: dict[str, str]
    gathered: Gathered
    evidence: Composition
    retrieval_ms: int  # gathering the sources and weighing the evidence


def read_case(case: Case) -> Reading:
    """Pseudonymise, gather the sources, weigh the evidence (``draft``'s first steps; the
    evaluation's ``fit_abstention`` reads questions the same way). No DB writes."""
    names = [case.usager_name] if case.usager_name else []
    subject = pseudonymise(case.subject, known_names=names)
    body = pseudonymise(case.body, known_names=names, mapping=subject.mapping)
    # Retrieval and the evidence read the question as the model will: without the usager's
    # identifiers (a NIR or an IBAN is no part of what the question is about).
    question = f"{subject.text}\n{body.text}"
    started = time.perf_counter()
    gathered = gather(case, question)
    # The evidence, for every backend: does the documentation answer this question at all?
    evidence = compose(
        question,
        gathered.for_composer(),
        gathered.unit_similarity,
        min_similarity=settings.DRAFTING_MIN_SIMILARITY,
        context=gathered.context,
    )
    retrieval_ms = int((time.perf_counter() - started) * 1000)
    return Reading(subject.text, body.text, body.mapping, gathered, evidence, retrieval_ms)


def draft(case: Case) -> tuple[DraftResult, list[Source], int]:
    """Write a draft for ``case``: (result, sources, retrieval milliseconds). No DB writes."""
    names = [case.usager_name] if case.usager_name else []
    reading = read_case(case)
    gathered, evidence, mapping = reading.gathered, reading.evidence, reading.mapping
    retrieval_ms = reading.retrieval_ms
    sources = gathered.sources

    greeting = "Madame, Monsieur,"
    if case.usager_name:
        named = pseudonymise(case.usager_name, known_names=names, mapping=mapping)
        mapping = named.mapping
        greeting = f"Bonjour {named.text},"
    administration = case.administration
    inputs = prompt_inputs(
        administration=administration.name,
        subject=reading.subject,
        message=reading.body,
        sources=sources,
        greeting=greeting,
        closing=administration.closing,
        signature=administration.signature or administration.name,
    )
    backend, model_name = _backend_for(case)
    if evidence.abstained:
        # Nothing in the documentation answers: no model is asked to write around that; the
        # offline drafter writes what an agent would (acknowledge, ask, redirect).
        backend, model_name = "offline", ""
    chain = build_chain(
        backend=backend,
        model_name=model_name,
        source_count=len(sources),
        mapping=mapping,
        unit_similarity=gathered.unit_similarity,
        context=gathered.context,
    )
    output = chain.invoke(inputs)
    text = output["text"]
    verification = verify_citations(text, [source.checked_text for source in sources])
    confidence = evidence.confidence
    if output["backend"] != "offline":
        confidence = min(confidence, verification.confidence)
    if verification.main_claims_unsupported:
        confidence = min(confidence, UNSUPPORTED_CONFIDENCE)
    # Did the model obey the usager's message instead of the prompt (a link, an address or a
    # case it was not given, its rules recited)? Flagged for the agent, for every backend.
    injection = injection_signals(
        text,
        given=[
            *(source.text for source in sources),
            *(source.url for source in sources),
            # The usager's own contact, not whatever their message asks to write to.
            case.usager_email,
            case.usager_phone,
            case.usager_name,
            greeting,
            administration.closing,
            administration.signature or administration.name,
        ],
        instructions=SYSTEM,
        own_reference=case.reference,
    )
    if injection:
        confidence = min(confidence, UNSUPPORTED_CONFIDENCE)
    # The model judged that the sources do not answer (rule 4 of the prompt): an abstention, as
    # when the evidence says so, whatever the evidence thought.
    model_abstained = bool(output.get("not_covered"))
    if model_abstained:
        confidence = min(confidence, LOW_CONFIDENCE / 2)
    if output["backend"] == "offline":
        # Lowered after the writing (a main claim unsupported, an injection): the opening no
        # longer claims to answer either.
        text = intro_for_confidence(text, confidence)
    cited = {check_n for check in verification.sentences for check_n in check.cited}
    reused = [
        source.ref["bank_answer_id"]
        for source in sources
        if source.kind == "answer" and source.number in cited
    ]
    result = DraftResult(
        text=text,
        backend=output["backend"],
        model_name=output["model_name"],
        fell_back=output.get("fell_back", False),
        error=output.get("error") or "",
        prompt_tokens=output.get("prompt_tokens"),
        completion_tokens=output.get("completion_tokens"),
        confidence=round(confidence, 3),
        abstained=evidence.abstained or model_abstained,
        verification={**verification.as_dict(), "injection": list(injection)},
        reused_answer_id=reused[0] if reused else None,
    )
    return result, sources, retrieval_ms


def _source_record(source: Source) -> dict[str, Any]:
    return {
        "n": source.number,
        "kind": source.kind,
        "title": source.title,
        "url": source.url,
        "excerpt": source.text[:1200],
        "score": source.score,
        **source.ref,
    }


def suggestion_claim(*, suggestion_id: int) -> dt.datetime | None:
    """Atomically move a suggestion from pending (or a dead worker's run: a claim older than
    ``DRAFTING_CLAIM_LEASE_SECONDS``) to running. The claim's time if we won, else None; only
    the holder of that claim may record the outcome."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.DRAFTING_CLAIM_LEASE_SECONDS)
    claimable = Q(status=Suggestion.Status.PENDING) | Q(
        status=Suggestion.Status.RUNNING, started_at__lt=now - lease
    )
    updated = Suggestion.objects.filter(claimable, pk=suggestion_id).update(
        status=Suggestion.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    return now if updated else None


def suggestion_draft(*, suggestion_id: int) -> Suggestion | None:
    """Run one suggestion through the pipeline. Idempotent: an unclaimable row is left alone,
    and a run whose claim was taken over (it outlived the lease) records nothing."""
    claimed_at = suggestion_claim(suggestion_id=suggestion_id)
    if claimed_at is None:
        return None
    ours = Q(pk=suggestion_id, status=Suggestion.Status.RUNNING, started_at=claimed_at)
    suggestion = Suggestion.objects.select_related("case__administration").get(pk=suggestion_id)
    started = time.perf_counter()
    try:
        result, sources, retrieval_ms = draft(suggestion.case)
    except Exception as exc:
        logger.exception("drafting failed for suggestion %s", suggestion_id)
        with transaction.atomic():
            Suggestion.objects.filter(ours).update(
                status=Suggestion.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
                latency_ms=int((time.perf_counter() - started) * 1000),
                prompt_version=PROMPT_VERSION,
            )
        raise
    with transaction.atomic():
        recorded = Suggestion.objects.filter(ours).update(
            status=Suggestion.Status.READY,
            text=result.text,
            sources=[_source_record(s) for s in sources],
            backend=result.backend,
            model_name=result.model_name,
            prompt_version=PROMPT_VERSION,
            fell_back=result.fell_back,
            error=result.error,
            retrieval_ms=retrieval_ms,
            latency_ms=int((time.perf_counter() - started) * 1000),
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            confidence=result.confidence,
            abstained=result.abstained,
            verification=result.verification,
            reused_answer_id=result.reused_answer_id,
            finished_at=timezone.now(),
        )
        if recorded and result.reused_answer_id is not None:
            bank_answer_record_use(bank_answer_id=result.reused_answer_id)
    suggestion.refresh_from_db()
    return suggestion
