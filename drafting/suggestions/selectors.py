from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import is_volunteer
from cases.models import Case
from cases.selectors import cases_visible_to
from drafting.experiment.models import Arm, CaseArm
from drafting.grounding.markup import cited_numbers

from .judgement import LOW_CONFIDENCE
from .models import Suggestion
from .usable import usable_text


def suggestions_visible_to(user: User) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(case__in=cases_visible_to(user).values("pk"))


def current_suggestion(case: Case) -> Suggestion | None:
    """The latest draft of a case (earlier ones are its history)."""
    return Suggestion.objects.filter(case=case).order_by("-sequence").first()


def suggestion_get(user: User, pk: int) -> Suggestion:
    return suggestions_visible_to(user).select_related("case", "administration").get(pk=pk)


def panel_context(user: User, case: Case) -> dict[str, Any]:
    """What the suggestion panel shows. Control cases, and anyone who has not volunteered
    (approved, with their own recorded consent), get nothing at all: no label, no hint, so that
    the agent's work is not biased."""
    if not is_volunteer(user, case.administration_id):
        return {"case": case, "hidden": True}
    arm = CaseArm.objects.filter(case=case).values_list("arm", flat=True).first()
    if arm == Arm.CONTROL:
        return {"case": case, "hidden": True}
    suggestion = current_suggestion(case)
    history = (
        Suggestion.objects.filter(case=case).exclude(pk=suggestion.pk).count() if suggestion else 0
    )
    context = {"case": case, "hidden": False, "suggestion": suggestion, "history": history}
    if suggestion is not None and suggestion.status == Suggestion.Status.READY:
        context.update(draft_review(suggestion))
        if history:
            # "New draft" gave the same text (the same sources, the same drafter): say so, or
            # the agent reads the button as broken.
            previous = (
                Suggestion.objects.filter(case=case, status=Suggestion.Status.READY)
                .exclude(pk=suggestion.pk)
                .order_by("-created_at", "-pk")
                .values_list("text", flat=True)
                .first()
            )
            context["same_as_previous"] = (previous or "").strip() == suggestion.text.strip()
    return context


def _source_label(source: dict[str, Any]) -> dict[str, Any]:
    return {"n": source.get("n"), "title": source.get("title", ""), "kind": source.get("kind")}


# What the agent reads when a draft says what it was not given (drafting/grounding/injection.py).
INJECTION_WARNINGS = {
    "contact": _(
        "The draft gives an address, a link or a phone number that is neither in the sources "
        "nor in the usager's contact details: check it before sending."
    ),
    "reference": _("The draft mentions the reference of another case."),
    "instructions": _(
        "The draft recites the drafting instructions: the usager's message may have tried to "
        "steer the model."
    ),
    "markup": _("The draft contains internal markup of the prompt."),
}


def draft_review(suggestion: Suggestion) -> dict[str, Any]:
    """What the panel tells the agent about a ready draft, in plain words.

    ``level``: ``abstained`` (the documentation does not cover the question: the draft says
    so), ``check`` (low confidence, or sentences not found in the source they cite), ``reliable``,
    or ``""`` for a draft written before confidences existed. ``flagged``: the sentences to
    check, each with the sources it cites. ``usable_text``: what "Use this reply" inserts.
    """
    verification = suggestion.verification or {}
    by_number = {s.get("n"): s for s in suggestion.sources or [] if isinstance(s, dict)}
    flagged = []
    for item in verification.get("flagged") or []:
        cited = [by_number[n] for n in item.get("cited") or [] if n in by_number]
        wrong = set(item.get("wrong_sources") or [])
        flagged.append(
            {
                "text": item.get("text", ""),
                "sources": [_source_label(source) for source in cited],
                "unknown_sources": sorted(n for n in wrong if n not in by_number),
                # Figures as written by people (months are checked as "m<n>": not shown).
                "figures": [f for f in item.get("missing_figures") or [] if not f.startswith("m")],
            }
        )
    warnings = [
        str(INJECTION_WARNINGS[signal])
        for signal in verification.get("injection") or []
        if signal in INJECTION_WARNINGS
    ]
    if suggestion.abstained:
        level = "abstained"
    elif suggestion.confidence is None:
        level = ""
    elif suggestion.confidence < LOW_CONFIDENCE or flagged or warnings:
        level = "check"
    else:
        level = "reliable"
    # The sources the draft cites first; the other passages retrieval gave the drafter are
    # folded away (an abstention cites none): a list of twenty sources hid the two that count.
    numbers = set(cited_numbers(suggestion.text))
    sources = list(by_number.values())
    return {
        "level": level,
        "cited_sources": [s for s in sources if s.get("n") in numbers],
        "other_sources": [s for s in sources if s.get("n") not in numbers],
        "draft_parts": draft_parts(suggestion.text, [item["text"] for item in flagged]),
        "low_confidence": bool(
            suggestion.confidence is not None and suggestion.confidence < LOW_CONFIDENCE
        ),
        "flagged": flagged,
        "warnings": warnings,
        "counts": {
            "supported": verification.get("supported", 0),
            "unsupported": verification.get("unsupported", 0),
            "uncited": verification.get("uncited", 0),
        },
        "usable_text": usable_text(suggestion),
        "reused_answer": suggestion.reused_answer,
    }


def draft_parts(text: str, flagged: list[str]) -> list[dict[str, Any]]:
    """The draft's text cut into runs, each flagged or not, so the panel can mark the sentences
    to check where they stand in the draft (the agent sees them in context, not only in a list).

    The verifier stores a flagged sentence without its ``[n]`` markers: it is found again word by
    word, whatever markers, spaces or punctuation stand between the words in the draft, and the
    mark runs on to the sentence's own markers and final stop. A flagged sentence the text no
    longer contains (edited since) is simply not marked."""
    spans: list[tuple[int, int]] = []
    for sentence in flagged:
        pattern = _sentence_pattern(sentence)
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if not any(a < match.end() and match.start() < b for a, b in spans):
                spans.append((match.start(), match.end()))
                break
    parts: list[dict[str, Any]] = []
    position = 0
    for start, end in sorted(spans):
        if start > position:
            parts.append({"text": text[position:start], "flagged": False})
        parts.append({"text": text[start:end], "flagged": True})
        position = end
    if position < len(text) or not parts:
        parts.append({"text": text[position:], "flagged": False})
    return parts


_WORD_RE = re.compile(r"\w+")
_BETWEEN = r"(?:[^\w\[]|\[[\d,;\s–-]*\])+"
_TAIL = r"(?:\s*\[[\d,;\s–-]*\])*(?:\s*[.!?…])?(?:\s*\[[\d,;\s–-]*\])*"


def _sentence_pattern(sentence: str) -> re.Pattern[str] | None:
    words = _WORD_RE.findall(sentence)
    if not words:
        return None
    body = _BETWEEN.join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w){_TAIL}")
