"""Chat models chosen by settings: the offline default and any OpenAI-compatible endpoint.

Both are LangChain chat models and read the same prompt (drafting/prompts.py).
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

from drafting.knowledge.text import analyse

OFFLINE_MODEL_NAME = "guichet-offline-1"

_SOURCE_RE = re.compile(
    r'<source n="(?P<n>\d+)" type="(?P<type>[a-z_]+)" pertinence="(?P<pertinence>[0-9.]+)" '
    r'titre="(?P<title>[^"]*)" '
    r'url="(?P<url>[^"]*)">\n(?P<text>.*?)\n</source>',
    re.S,
)
_TAG_RE = {
    name: re.compile(rf"<{name}>\n?(.*?)\n?</{name}>", re.S)
    for name in ("objet", "message_usager", "formule", "signature", "salutation")
}
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9«])")
_GREETING_RE = re.compile(r"^\s*(bonjour|madame|monsieur|cher|chère)\b", re.I)
_CLOSING_RE = re.compile(
    r"^\s*(cordialement|bien cordialement|nous vous prions|veuillez agréer|je vous prie|"
    r"avec nos salutations|bien à vous|l'équipe|le service)",
    re.I,
)
# A past answer is reused when its question shares this share of the new question's terms.
REUSE_OVERLAP = 0.45
# Passages of another fiche than the best one are kept only when nearly as pertinent.
OTHER_FICHE_PERTINENCE = 0.9


def _tag(name: str, text: str) -> str:
    match = _TAG_RE[name].search(text)
    return match.group(1).strip() if match else ""


def _overlap(question_terms: set[str], text: str) -> float:
    if not question_terms:
        return 0.0
    return len(question_terms & set(analyse(text))) / len(question_terms)


def _reply_core(past: str) -> str:
    """The substance of a past reply: without its greeting, closing and signature."""
    _, _, reply = past.partition("Réponse envoyée :")
    lines = [line.rstrip() for line in (reply or past).strip().splitlines()]
    while lines and (not lines[0].strip() or _GREETING_RE.match(lines[0])):
        lines.pop(0)
    for index, line in enumerate(lines):
        if _CLOSING_RE.match(line):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def _best_sentences(text: str, question_terms: set[str], limit: int) -> list[str]:
    units: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        units.extend([line] if line.startswith("- ") else _SENTENCE_RE.split(line))
    scored = [
        (len(question_terms & set(analyse(unit))), -index, unit) for index, unit in enumerate(units)
    ]
    chosen = sorted(scored, reverse=True)[:limit]
    # Keep the fiche's order: it reads as the fiche does.
    return [unit for _, _, unit in sorted(chosen, key=lambda item: -item[1]) if unit]


class OfflineDraftModel(BaseChatModel):
    """A deterministic drafter that needs no network and no key.

    It reads the prompt like any model would, and composes a reply from the sources in it:
    the closest past answer of the administration when one matches the question well, else
    the most relevant sentences of the best fiches; with greeting, closing, signature and
    numbered citations. It does not invent: every sentence of substance comes from a source.
    """

    model_name: str = OFFLINE_MODEL_NAME

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
        text = self.compose(prompt)
        prompt_words = sum(len(str(m.content).split()) for m in messages)
        usage = {
            "input_tokens": prompt_words,
            "output_tokens": len(text.split()),
            "total_tokens": prompt_words + len(text.split()),
        }
        message = AIMessage(
            content=text,
            usage_metadata=usage,
            response_metadata={"model_name": self.model_name, "backend": "offline"},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def compose(self, prompt: str) -> str:
        subject = _tag("objet", prompt)
        question = f"{subject}\n{_tag('message_usager', prompt)}"
        question_terms = set(analyse(question))
        sources = [m.groupdict() for m in _SOURCE_RE.finditer(prompt)]
        greeting = _tag("salutation", prompt) or "Madame, Monsieur,"
        closing = _tag("formule", prompt)
        signature = _tag("signature", prompt)

        paragraphs: list[str] = []
        cited: list[dict] = []
        past = [s for s in sources if s["type"] == "reponse_passee"]
        fiches = [s for s in sources if s["type"] == "fiche"]
        best_past = None
        if past:
            best_past = max(
                past, key=lambda s: _overlap(question_terms, s["text"].split("Réponse")[0])
            )
            if _overlap(question_terms, best_past["text"].split("Réponse")[0]) < REUSE_OVERLAP:
                best_past = None
        if best_past is not None:
            core = _reply_core(best_past["text"])
            if core:
                paragraphs.append(f"{core} [{best_past['n']}]")
                cited.append(best_past)
        main_fiche = fiches[0]["title"].split(" › ")[0] if fiches else ""
        if not paragraphs:
            for source in fiches[:3]:
                same_fiche = source["title"].split(" › ")[0] == main_fiche
                if not same_fiche and float(source["pertinence"]) < OTHER_FICHE_PERTINENCE:
                    continue
                sentences = _best_sentences(source["text"], question_terms, limit=4)
                if not sentences or not (question_terms & set(analyse(" ".join(sentences)))):
                    continue
                trail = source["title"].split(" › ")
                body = "\n".join(sentences)
                if len(trail) > 1:
                    body = f"{trail[-1].rstrip(' ?:')} :\n{body}"
                paragraphs.append(f"{body} [{source['n']}]")
                cited.append(source)
        intro = (
            f"Nous avons bien reçu votre message concernant « {subject} »"
            if subject
            else "Nous avons bien reçu votre message"
        )
        if paragraphs:
            intro += " et nous vous remercions de votre confiance. Voici les éléments de réponse."
        else:
            intro += (
                ". Nous n'avons pas trouvé dans notre documentation d'information qui réponde "
                "précisément à votre situation : un agent va examiner votre demande et reviendra "
                "vers vous."
            )
        links = [s for s in (cited if cited else fiches[:1]) if s["type"] == "fiche"]
        parts = [greeting, intro, *paragraphs]
        for source in links:
            if source["url"]:
                parts.append(
                    f"Pour en savoir plus : {source['title'].split(' › ')[0]}, "
                    f"{source['url']} [{source['n']}]."
                )
                break
        parts += [closing, signature]
        return "\n\n".join(part for part in parts if part)


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
