"""What an agent gets when they use a draft: the text the usager may receive.

The draft cites its sources as ``[n]``; those markers are internal. "Use this reply" puts in
the composer the draft without them, with the short "Pour en savoir plus" list of the cited
fiches' public links before the closing formula (when the administration keeps that setting
on). The decision recorded when the reply is sent compares the sent text with this one.
"""

from __future__ import annotations

import re
from typing import Any

from drafting.grounding import references_block, strip_markers
from drafting.grounding.markup import cited_numbers

from .models import Suggestion

__all__ = ["cited_sources", "usable_forms", "usable_text"]

_MORE_RE = re.compile(r"(?im)^\s*pour en savoir plus\b")


def cited_sources(suggestion: Suggestion) -> list[dict[str, Any]]:
    """The stored sources the draft's text cites, in their order."""
    cited = set(cited_numbers(suggestion.text or ""))
    return [s for s in suggestion.sources or [] if isinstance(s, dict) and s.get("n") in cited]


def _with_references(text: str, references: str, closing: str) -> str:
    if not references or _MORE_RE.search(text):
        return text
    closing = closing.strip()
    if closing:
        # Before the closing formula (and the signature after it), like an agent writes it.
        at = text.rfind(closing)
        if at > 0 and text[:at].endswith("\n"):
            head = text[:at].rstrip()
            return f"{head}\n\n{references}\n\n{text[at:]}"
    return f"{text.rstrip()}\n\n{references}"


def usable_text(suggestion: Suggestion, *, references: bool | None = None) -> str:
    """The draft as the usager may receive it: no ``[n]`` markers, and the references list of
    the cited fiches when ``references`` (default: the administration's setting) is on."""
    text = strip_markers(suggestion.text or "")
    administration = suggestion.administration
    if references is None:
        references = administration.reply_references
    if not references:
        return text
    block = references_block(cited_sources(suggestion))
    return _with_references(text, block, administration.closing)


def usable_forms(suggestion: Suggestion) -> list[str]:
    """Every form of the draft that counts as "sent as drafted": the usable text as the
    setting stands, the same with or without the references list, and the raw draft."""
    forms = [usable_text(suggestion)]
    for references in (True, False):
        form = usable_text(suggestion, references=references)
        if form not in forms:
            forms.append(form)
    if suggestion.text and suggestion.text not in forms:
        forms.append(suggestion.text)
    return forms
