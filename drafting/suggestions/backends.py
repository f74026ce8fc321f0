"""Chat models chosen by settings: the offline default and any OpenAI-compatible endpoint.

Both are LangChain chat models and read the same prompt (``drafting.suggestions.prompts``).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from .abstaining import abstention
from .compose import ComposeSource, Composition, compose
from .judgement import LOW_CONFIDENCE, EvidenceContext

OFFLINE_MODEL_NAME = "guichet-offline-1"

_SOURCE_RE = re.compile(
    r'<source n="(?P<n>\d+)" type="(?P<type>[a-z_]+)" pertinence="(?P<pertinence>[0-9.]+)" '
    r'similarite="(?P<similarity>[0-9.]+)" titre="(?P<title>[^"]*)" '
    r'url="(?P<url>[^"]*)">\n(?P<text>.*?)\n</source>',
    re.S,
)
_TAG_RE = {
    name: re.compile(rf"<{name}>\n?(.*?)\n?</{name}>", re.S)
    for name in ("objet", "message_usager", "formule", "signature", "salutation")
}
INTRO = "Suite à votre message, voici les informations qui répondent à votre demande."
INTRO_REUSED = "Suite à votre message, voici la réponse à votre demande."
# A low-confidence draft does not tell the usager that it answers: the agent who sends it as it
# stands sends what it is, the closest information of the documentation.
INTRO_CLOSEST = (
    "Suite à votre message, voici les informations de notre documentation qui se rapprochent "
    "le plus de votre demande."
)


def intro(composition: Composition) -> str:
    """The sentence before the substance: how much the draft claims to answer."""
    if composition.reused is not None:
        return INTRO_REUSED
    return INTRO if composition.confidence >= LOW_CONFIDENCE else INTRO_CLOSEST


def intro_for_confidence(text: str, confidence: float) -> str:
    """``text``, an offline draft, with the opening its final confidence allows (the pipeline
    may lower the composer's confidence after verifying the draft)."""
    if confidence < LOW_CONFIDENCE:
        return text.replace(INTRO, INTRO_CLOSEST, 1).replace(INTRO_REUSED, INTRO_CLOSEST, 1)
    return text


def _tag(name: str, text: str) -> str:
    match = _TAG_RE[name].search(text)
    return match.group(1).strip() if match else ""


def compose_sources(prompt: str) -> list[ComposeSource]:
    """The numbered sources of a prompt, as the composer reads them."""
    return [
        ComposeSource(
            n=int(match["n"]),
            kind=match["type"],
            title=match["title"],
            url=match["url"],
            text=match["text"],
            pertinence=float(match["pertinence"]),
            similarity=float(match["similarity"]),
        )
        for match in _SOURCE_RE.finditer(prompt)
    ]


class OfflineDraftModel(BaseChatModel):
    """A deterministic drafter that needs no network and no key.

    It reads the prompt like any model would and composes a reply from the sources in it
    (``drafting.suggestions.compose``): a model answer of the bank whose question matches
    closely, else the units of the fiches that answer the question, the answer first, cited;
    or, when the sources do not cover it, the paragraph an agent would write instead. It does
    not invent: every sentence of substance comes from a source.
    """

    model_name: str = OFFLINE_MODEL_NAME
    # (source number, unit position) -> embedding similarity with the question, when the
    # pipeline has the semantic layer; the prompt alone carries everything else.
    unit_similarity: dict[tuple[int, int], float] | None = None
    min_similarity: float | None = None
    # What retrieval knows beyond the prompt (rankings' agreement, the fiches' vocabulary).
    context: EvidenceContext | None = None

    @property
    def _llm_type(self) -> str:
        return "guichet-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = str(messages[-1].content)
        text, composition = self.compose(prompt)
        prompt_words = sum(len(str(m.content).split()) for m in messages)
        usage = {
            "input_tokens": prompt_words,
            "output_tokens": len(text.split()),
            "total_tokens": prompt_words + len(text.split()),
        }
        message = AIMessage(
            content=text,
            usage_metadata=usage,
            response_metadata={
                "model_name": self.model_name,
                "backend": "offline",
                "confidence": composition.confidence,
                "abstained": composition.abstained,
                "reused": composition.reused,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def compose(self, prompt: str) -> tuple[str, Composition]:
        """The reply and the composition behind it (what was chosen, how sure, or why not)."""
        question = f"{_tag('objet', prompt)}\n{_tag('message_usager', prompt)}"
        composition = compose(
            question,
            compose_sources(prompt),
            self.unit_similarity,
            min_similarity=self.min_similarity,
            context=self.context,
        )
        if composition.abstained:
            body = [abstention(composition.reason, question)]
        else:
            body = [intro(composition), *composition.body]
        parts = [
            _tag("salutation", prompt) or "Madame, Monsieur,",
            *body,
            _tag("formule", prompt),
            _tag("signature", prompt),
        ]
        return "\n\n".join(part for part in parts if part), composition


def build_chat_model(backend: str, model_name: str = "") -> BaseChatModel:
    """The chat model for ``backend`` with its settings (DRAFTING_* in config/settings.py)."""
    if backend == "offline":
        return OfflineDraftModel()
    if backend == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.DRAFTING_OPENAI_BASE_URL:
            raise ValueError("DRAFTING_OPENAI_BASE_URL is not set.")
        return ChatOpenAI(
            base_url=settings.DRAFTING_OPENAI_BASE_URL,
            model=model_name or settings.DRAFTING_OPENAI_MODEL,
            api_key=settings.DRAFTING_OPENAI_API_KEY or "not-needed",
            timeout=settings.DRAFTING_OPENAI_TIMEOUT,
            # Retries are ours (with_retry in the pipeline), counted and then fallen back from.
            max_retries=0,
            temperature=0.2,
            # langchain-openai sends max_completion_tokens, which llama.cpp and older
            # OpenAI-compatible servers ignore; max_tokens in the body is honoured by all.
            extra_body={"max_tokens": settings.DRAFTING_MAX_TOKENS},
        )
    raise ValueError(f"Unknown drafting backend “{backend}”.")


def available_backends() -> list[tuple[str, str]]:
    backends = [("offline", "Offline (Guichet, no network)")]
    if settings.DRAFTING_OPENAI_BASE_URL:
        backends.append(("openai", f"OpenAI-compatible ({settings.DRAFTING_OPENAI_MODEL})"))
    return backends


def backends_offered() -> list[tuple[str, str]]:
    """The (backend, model) pairs an administrator may choose (``DRAFTING_BACKENDS_OFFERED``).

    An OpenAI-compatible model is offered only while the endpoint is configured: a choice the
    platform cannot serve is never shown, and never accepted.
    """
    offered: list[tuple[str, str]] = []
    for backend, model_name in settings.DRAFTING_BACKENDS_OFFERED:
        if backend == "openai" and not (settings.DRAFTING_OPENAI_BASE_URL and model_name):
            continue
        if backend not in ("offline", "openai") or (backend, model_name) in offered:
            continue
        offered.append((backend, model_name))
    return offered or [("offline", "")]


def backend_label(backend: str, model_name: str) -> str:
    if backend == "offline":
        return _("Offline drafter of Guichet (%(model)s, no network)") % {
            "model": OFFLINE_MODEL_NAME
        }
    return _("OpenAI-compatible endpoint, model %(model)s") % {"model": model_name or "?"}
