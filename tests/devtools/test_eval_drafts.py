"""eval_drafts drafts labelled questions through the real pipeline and prints its scores."""

from __future__ import annotations

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from devtools.demo import KNOWLEDGE_DIR
from devtools.eval import QUESTIONS_FILE
from devtools.eval.drafts import EVAL_ACTOR_EMAIL, facts_in, load_questions, percentile
from drafting.answers.models import BankAnswer
from drafting.knowledge import services as knowledge_services
from tests.drafting.openai_server import FakeOpenAI

pytestmark = pytest.mark.django_db

FICHES = ("GUI-0001.md", "GUI-0002.md", "GUI-0014.md", "F9101.xml")


@pytest.fixture
def demo_fiches(tmp_path):
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for name in FICHES:
        shutil.copy(KNOWLEDGE_DIR / name, folder / name)
    report = knowledge_services.knowledge_import(path=folder)
    assert report.created == len(FICHES)


def _questions(tmp_path, slug: str) -> str:
    def item(id_, question, subject, expected, facts, covered, **extra):
        return {
            "id": id_,
            "question": question,
            "subject": subject,
            "channel": "email",
            "administration": slug,
            "expected_sources": expected,
            "key_facts": facts,
            "covered": covered,
            "kind": "simple" if covered else "offtopic",
            **extra,
        }

    rows = [
        item(
            "t1",
            "Bonjour, j'ai perdu ma carte Vitale. Comment je fais pour en commander une "
            "nouvelle carte Vitale et me faire rembourser en attendant ?",
            "carte vitale perdue",
            ["GUI-0001"],
            [["commander une nouvelle", "nouvelle carte"], ["recette de la tarte tatin"]],
            True,
        ),
        item(
            "t2",
            "Bonjour, quelle est la recette de la tarte tatin de votre cantine ? Merci",
            "recette",
            [],
            [],
            False,
        ),
        item(
            "t3",
            "ma carte vitale a été volée, je dois en commander une autre, c'est payant ?",
            "vol carte vitale",
            ["GUI-0001"],
            [["gratuit"]],
            True,
            pair="p1",
            same_need=True,
        ),
        item(
            "t4",
            "On m'a volé ma carte Vitale, comment en commander une nouvelle ? Est-ce gratuit ?",
            "carte vitale volée",
            ["GUI-0001"],
            [["gratuit"]],
            True,
            pair="p1",
            same_need=True,
        ),
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return str(path)


def _metric(printed: str, label: str) -> str:
    line = next(line for line in printed.splitlines() if line.strip().startswith(label))
    return line[len(label) + 2 :].split()[0] if line.startswith("  ") else line


def test_eval_drafts_scores_the_offline_drafts(tmp_path, tenant_a, demo_fiches, settings):
    settings.DRAFTING_BACKEND = "offline"
    out = StringIO()
    report_file = tmp_path / "results.json"
    call_command(
        "eval_drafts",
        questions=_questions(tmp_path, tenant_a.administration.slug),
        json=str(report_file),
        stdout=out,
        stderr=StringIO(),
    )
    printed = out.getvalue()
    assert "4 questions (3 covered, 1 not covered), backend offline" in printed
    results = json.loads(report_file.read_text(encoding="utf-8"))
    by_id = {row["id"]: row for row in results["questions"]}
    # A covered question whose draft cites its fiche first is a hit.
    assert by_id["t1"]["cited_fiches"][0] == "GUI-0001"
    assert by_id["t1"]["hit_at_1"] and by_id["t1"]["hit_at_3"]
    # One fact of two is in the draft: the invented one is not.
    assert by_id["t1"]["facts_total"] == 2 and by_id["t1"]["missing_facts"] == [
        ["recette de la tarte tatin"]
    ]
    # The uncovered question's draft abstains: it counts for precision and recall.
    assert by_id["t2"]["abstained"] and not by_id["t2"]["cited_fiches"]
    metrics = results["metrics"]
    assert metrics["abstention_recall"] == 1.0 and metrics["abstention_precision"] == 1.0
    assert metrics["hit_at_1"] == 1.0 and metrics["labelled"] == 3
    assert metrics["cited_sentences"] >= 1
    assert metrics["supported_share"] == metrics["supported_sentences"] / metrics["cited_sentences"]
    assert metrics["latency_p95_ms"] >= metrics["latency_p50_ms"] > 0
    for label in ("hit@1", "hit@3", "key-fact recall", "cited sentences supported"):
        assert "n/a" not in next(line for line in printed.splitlines() if label in line)
    assert "abstention recall (not covered)      100.0%" in printed
    assert "past-answer reuse recall (same need)" in printed
    assert "reuse_recall" in metrics
    assert "hit@1 (right fiche cited first)      100.0%" in printed
    # The pair's bank entry and the throwaway agent were rolled back.
    assert results["pairs"][0]["banked_answer_id"] and not results["pairs"][0]["error"]
    assert "rolled back: nothing was written" in printed
    assert not BankAnswer.objects.exists()
    assert not User.objects.filter(email=EVAL_ACTOR_EMAIL).exists()


def test_eval_drafts_with_an_openai_compatible_endpoint(tmp_path, tenant_a, demo_fiches, settings):
    server = FakeOpenAI().start()
    try:
        settings.DRAFTING_OPENAI_BASE_URL = server.base_url
        settings.DRAFTING_OPENAI_API_KEY = "test-key"
        settings.DRAFTING_OPENAI_MAX_RETRIES = 0
        out = StringIO()
        report_file = tmp_path / "results.json"
        call_command(
            "eval_drafts",
            questions=_questions(tmp_path, tenant_a.administration.slug),
            backend="openai",
            model="albert-test",
            limit=1,
            json=str(report_file),
            stdout=out,
        )
    finally:
        server.stop()
    assert "1 questions (1 covered, 0 not covered), backend openai (albert-test)" in out.getvalue()
    assert server.requests and server.requests[0]["body"]["model"] == "albert-test"
    row = json.loads(report_file.read_text(encoding="utf-8"))["questions"][0]
    assert row["backend"] == "openai" and not row["fell_back"]
    # The scripted reply cites [1], the best passage: GUI-0001's.
    assert row["cited_fiches"] == ["GUI-0001"] and row["hit_at_1"]


def test_eval_drafts_without_knowledge_says_to_seed_the_demo(tmp_path, tenant_a):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("eval_drafts", questions=_questions(tmp_path, tenant_a.administration.slug))


def test_the_question_set_is_the_labelled_one():
    questions = load_questions(QUESTIONS_FILE)
    assert len(questions) >= 150
    assert sum(not q["covered"] for q in questions) >= 20
    assert all(q["covered"] == bool(q["expected_sources"]) for q in questions)


def test_the_held_out_set_is_separate_and_large_enough():
    held_out = load_questions(QUESTIONS_FILE.parent / "heldout.jsonl")
    tuned = {q["question"] for q in load_questions(QUESTIONS_FILE)}
    assert len(held_out) >= 60
    assert sum(not q["covered"] for q in held_out) >= 15
    assert all(q["covered"] == bool(q["expected_sources"]) for q in held_out)
    assert not tuned & {q["question"] for q in held_out}
    pairs = {q["pair"] for q in held_out if q.get("pair")}
    assert len(pairs) >= 8


def test_facts_and_percentiles():
    text = "Demandez une Attestation\u00a0de droits [1]. C\u2019est gratuit."
    assert facts_in(text, [["attestation de droits"], ["c'est gratuit"], ["payant"]]) == [
        True,
        True,
        False,
    ]
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3 and percentile([1, 2], 0.95) == 2
    assert percentile([], 0.5) is None


def test_the_retrieval_held_out_set_is_separate_and_labelled():
    held_out = load_questions(QUESTIONS_FILE.parent / "heldout_retrieval.jsonl")
    seen = {q["question"] for q in load_questions(QUESTIONS_FILE)} | {
        q["question"] for q in load_questions(QUESTIONS_FILE.parent / "heldout.jsonl")
    }
    assert len(held_out) >= 60 and sum(not q["covered"] for q in held_out) >= 15
    assert all(q["covered"] == bool(q["expected_sources"]) for q in held_out)
    assert all(q["key_facts"] for q in held_out if q["covered"])
    assert not seen & {q["question"] for q in held_out}
    assert len({q["pair"] for q in held_out if q.get("pair")}) >= 8
