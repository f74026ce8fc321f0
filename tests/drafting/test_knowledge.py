"""The knowledge importer: service-public.fr XML and Markdown fiches, all or nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from drafting.knowledge import KnowledgeFileError, parse_service_public_xml, read_knowledge_file
from drafting.knowledge import services as knowledge_services
from drafting.knowledge.retrieval import bm25_search
from drafting.knowledge.text import analyse
from drafting.models import KnowledgeArticle, Passage, Posting, SearchDocument
from tests.factories import make_administration

pytestmark = pytest.mark.django_db

SAMPLE = Path("/work/shared/formats/sample-F9001.xml")
SAMPLE_TITLE = "Carte d'identité : renouvellement"
SEP = " \u203a "  # the separator of heading chains


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- helpers --------------------------------------------------------------------------------


def markdown(
    external_id: str = "GUI-T001",
    title: str = "Allocation de rentrée scolaire",
    body: str = "",
    *,
    topic: str = "famille",
    updated: str = "2026-08-01",
    extra: str = "",
) -> str:
    body = body or (
        "L'allocation de rentrée scolaire aide les familles à payer les fournitures.\n\n"
        "## Conditions\n"
        "Vos ressources ne dépassent pas un plafond.\n\n"
        "- un enfant scolarisé de 6 à 18 ans\n"
        "- des ressources sous le plafond\n\n"
        "## Versement\n"
        "Le versement a lieu à la fin du mois d'août.\n"
    )
    return (
        "---\n"
        f"external_id: {external_id}\n"
        f"title: {title}\n"
        f"topic: {topic}\n"
        f"source_url: https://guichet.example.gouv.fr/fiches/{external_id}\n"
        f"updated: {updated}\n"
        "summary: Une aide versée avant la rentrée.\n"
        f"{extra}"
        "---\n"
        f"{body}"
    )


def xml_fiche(
    publication_id: str = "F7001",
    title: str = "Bourse de collège",
    paragraph: str = "La bourse de collège aide les familles aux revenus modestes.",
    *,
    date: str = "modified 2026-05-22",
    prolog: str = "",
) -> str:
    title_element = f"<dc:title>{title}</dc:title>" if title is not None else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{prolog}"
        f'<Publication xmlns:dc="http://purl.org/dc/elements/1.1/" ID="{publication_id}" '
        f'type="Fiche pratique" spUrl="https://www.service-public.fr/particuliers/vosdroits/'
        f'{publication_id}">\n'
        f"  {title_element}\n"
        f"  <dc:date>{date}</dc:date>\n"
        f"  <Introduction><Texte><Paragraphe>{paragraph}</Paragraphe></Texte></Introduction>\n"
        "</Publication>\n"
    )


def write(folder: Path, name: str, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_knowledge", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    return {
        "articles": KnowledgeArticle.objects.count(),
        "passages": Passage.objects.count(),
        "documents": SearchDocument.objects.count(),
        "postings": Posting.objects.count(),
    }


def top_titles(query: str, administration_id: int) -> list[str]:
    return [
        document.title
        for document, _ in bm25_search(
            query, kind=SearchDocument.Kind.PASSAGE, administration_id=administration_id, k=10
        )
    ]


# --- service-public.fr XML ------------------------------------------------------------------


def test_sample_fiche_metadata_is_read():
    data = parse_service_public_xml(SAMPLE)
    assert data.external_id == "F9001"
    assert data.title == SAMPLE_TITLE
    assert data.summary == "Comment refaire sa carte d'identité quand elle arrive à expiration."
    assert data.source_url == "https://www.service-public.fr/particuliers/vosdroits/F9001"
    assert data.updated_on == dt.date(2026, 9, 1)
    assert data.topic_slug == "identite"
    assert data.source_format == "sp_xml"


def test_sample_fiche_passages_carry_the_title_chain():
    data = parse_service_public_xml(SAMPLE)
    headings = [heading for heading, _ in data.passages]
    assert f"{SAMPLE_TITLE}{SEP}Vous êtes majeur{SEP}Pièces à fournir" in headings
    assert f"{SAMPLE_TITLE}{SEP}Vous êtes majeur{SEP}Où faire la demande ?" in headings
    assert f"{SAMPLE_TITLE}{SEP}Vous êtes mineur" in headings
    assert all(heading.startswith(SAMPLE_TITLE) for heading in headings)


def test_sample_fiche_lists_become_dash_lines_and_tables_pipe_rows():
    data = parse_service_public_xml(SAMPLE)
    by_heading = dict(data.passages)
    documents = by_heading[f"{SAMPLE_TITLE}{SEP}Vous êtes majeur{SEP}Pièces à fournir"].splitlines()
    assert documents == [
        "- Une photo d'identité récente",
        "- Un justificatif de domicile",
        "- L'ancienne carte",
    ]
    cost = by_heading[f"{SAMPLE_TITLE}{SEP}Vous êtes majeur{SEP}Coût"].splitlines()
    assert "Situation | Coût" in cost
    assert "Renouvellement de la carte | Gratuit" in cost
    assert "Carte perdue ou volée | Timbre fiscal" in cost


def test_sample_fiche_has_no_duplicate_passage():
    data = parse_service_public_xml(SAMPLE)
    texts = [text for _, text in data.passages]
    assert len(texts) == len(set(texts))
    assert len(data.passages) == len(set(data.passages))
    # Each paragraph of the fiche is in exactly one passage.
    everything = "\n".join(texts)
    assert everything.count("La demande se fait dans une mairie équipée") == 1
    assert everything.count("Une pré-demande en ligne permet de gagner du temps") == 1
    assert everything.count("La demande est faite par un parent") == 1
    assert everything.count("quand la vôtre expire dans moins de 6 mois") == 1


def test_sample_fiche_leaves_out_where_to_go_online_services_and_related_questions():
    data = parse_service_public_xml(SAMPLE)
    everything = "\n".join(f"{heading}\n{text}" for heading, text in data.passages)
    assert "Mairie" not in everything  # OuSAdresser's title (the text says "mairie")
    assert "Pré-demande de carte d'identité" not in everything  # ServiceEnLigne
    assert "Agence nationale des titres sécurisés" not in everything
    assert "ants.gouv.fr" not in everything
    assert "Que faire en cas de perte" not in everything  # QuestionReponse
    assert "Fiche pratique" not in everything  # SurTitre
    assert "Papiers - Citoyenneté - Élections" not in everything  # Theme
    assert "Particuliers" not in everything  # Audience


def test_importing_the_sample_fiche_stores_article_passages_and_search_documents():
    out, _ = run_import(SAMPLE)
    assert "1 created, 0 updated, 0 unchanged, 0 skipped" in out
    article = KnowledgeArticle.objects.get(external_id="F9001", administration=None)
    assert article.title == SAMPLE_TITLE
    assert article.source_url == "https://www.service-public.fr/particuliers/vosdroits/F9001"
    assert article.updated_on == dt.date(2026, 9, 1)
    assert article.topic is not None and article.topic.slug == "identite"
    assert article.source_format == KnowledgeArticle.Format.SERVICE_PUBLIC_XML
    assert article.is_active
    parsed = parse_service_public_xml(SAMPLE)
    stored = list(article.passages.order_by("position").values_list("heading", "text"))
    assert stored == parsed.passages
    assert SearchDocument.objects.filter(passage__article=article).count() == len(stored)
    documents = SearchDocument.objects.filter(passage__article=article)
    assert {d.url for d in documents} == {article.source_url}


def test_publications_other_than_fiches_are_skipped(tmp_path):
    write(tmp_path, "R45383.xml", xml_fiche("R45383", "Pré-demande de carte d'identité"))
    write(tmp_path, "F7001.xml", xml_fiche("F7001"))
    out, _ = run_import(tmp_path)
    assert "1 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert list(KnowledgeArticle.objects.values_list("external_id", flat=True)) == ["F7001"]
    assert read_knowledge_file(tmp_path / "R45383.xml") is None


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_front_matter_and_sections_are_read(tmp_path):
    write(tmp_path, "ars.md", markdown())
    out, _ = run_import(tmp_path)
    assert "1 created" in out
    article = KnowledgeArticle.objects.get(external_id="GUI-T001")
    assert article.title == "Allocation de rentrée scolaire"
    assert article.summary == "Une aide versée avant la rentrée."
    assert article.source_url == "https://guichet.example.gouv.fr/fiches/GUI-T001"
    assert article.updated_on == dt.date(2026, 8, 1)
    assert article.topic is not None and article.topic.slug == "famille"
    assert article.source_format == KnowledgeArticle.Format.MARKDOWN
    passages = list(article.passages.order_by("position").values_list("heading", "text"))
    assert passages[0] == (
        "Allocation de rentrée scolaire",
        "L'allocation de rentrée scolaire aide les familles à payer les fournitures.",
    )
    assert passages[1] == (
        f"Allocation de rentrée scolaire{SEP}Conditions",
        "Vos ressources ne dépassent pas un plafond.\n"
        "- un enfant scolarisé de 6 à 18 ans\n"
        "- des ressources sous le plafond",
    )
    assert passages[2][0] == f"Allocation de rentrée scolaire{SEP}Versement"
    assert "---" not in article.body and "external_id" not in article.body


# --- refused batches: nothing written -------------------------------------------------------


BAD_FILES = {
    "malformed_xml": ("F7002.xml", xml_fiche("F7002").replace("</Introduction>", "")),
    "xml_without_title": ("F7003.xml", xml_fiche("F7003", title=None)),
    "xml_with_impossible_date": ("F7004.xml", xml_fiche("F7004", date="modified 2026-13-45")),
    "markdown_without_front_matter": ("nofront.md", "# Titre\n\nDu texte sans en-tête.\n"),
    "markdown_front_matter_not_closed": (
        "open.md",
        "---\nexternal_id: GUI-T009\ntitle: Sans fin\n",
    ),
    "markdown_unknown_front_matter_key": (
        "unknown.md",
        markdown("GUI-T010", extra="auteur: quelqu'un\n"),
    ),
    "markdown_without_title": ("notitle.md", markdown("GUI-T011", title="")),
    "markdown_with_bad_date": ("baddate.md", markdown("GUI-T012", updated="1er août 2026")),
    "markdown_without_text": ("empty.md", markdown("GUI-T013", body="\n\n")),
}


@pytest.mark.parametrize("problem", sorted(BAD_FILES))
def test_a_bad_file_refuses_the_whole_batch(tmp_path, problem):
    write(tmp_path, "a-valid.md", markdown("GUI-T100", "Une fiche valide"))
    write(tmp_path, "F7000.xml", xml_fiche("F7000"))
    name, content = BAD_FILES[problem]
    write(tmp_path, name, content)
    before = counts()
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_knowledge", str(tmp_path), stdout=StringIO(), stderr=err)
    assert name in err.getvalue()
    assert "a-valid.md" not in err.getvalue() and "F7000.xml" not in err.getvalue()
    assert counts() == before
    assert not KnowledgeArticle.objects.filter(external_id__in=["GUI-T100", "F7000"]).exists()


def test_a_duplicate_external_id_in_one_batch_refuses_the_whole_batch(tmp_path):
    write(tmp_path, "one.md", markdown("GUI-T200", "Première fiche"))
    write(tmp_path, "two.md", markdown("GUI-T200", "Seconde fiche au même identifiant"))
    write(tmp_path, "three.md", markdown("GUI-T201", "Une fiche valide"))
    before = counts()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_knowledge", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "two.md" in err.getvalue()
    assert "GUI-T200" in err.getvalue()
    assert counts() == before


def test_a_refused_batch_leaves_earlier_articles_untouched(tmp_path):
    first = tmp_path / "first"
    write(first, "fiche.md", markdown("GUI-T300", "Fiche d'origine", "Texte d'origine.\n"))
    run_import(first)
    article = KnowledgeArticle.objects.get(external_id="GUI-T300")
    second = tmp_path / "second"
    write(second, "fiche.md", markdown("GUI-T300", "Fiche modifiée", "Texte modifié.\n"))
    write(second, "broken.xml", "<Publication")
    before = counts()
    with pytest.raises(CommandError):
        call_command("import_knowledge", str(second), stdout=StringIO(), stderr=StringIO())
    assert counts() == before
    article.refresh_from_db()
    assert article.title == "Fiche d'origine"
    assert list(article.passages.values_list("text", flat=True)) == ["Texte d'origine."]


def test_a_missing_path_is_refused(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_knowledge", str(tmp_path / "absent"), stdout=StringIO(), stderr=err)
    assert "absent" in err.getvalue()


def test_an_unknown_administration_slug_is_refused(tmp_path):
    write(tmp_path, "fiche.md", markdown())
    with pytest.raises(CommandError, match="no-such-slug"):
        run_import(tmp_path, "--administration", "no-such-slug")
    assert KnowledgeArticle.objects.count() == 0


# --- entity declarations --------------------------------------------------------------------

ENTITY_BOMB = (
    "<!DOCTYPE Publication [\n"
    '  <!ENTITY lol "lol">\n'
    '  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    "]>\n"
)
EXTERNAL_ENTITY = '<!DOCTYPE Publication [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


@pytest.mark.parametrize("prolog", [ENTITY_BOMB, EXTERNAL_ENTITY], ids=["internal", "external"])
def test_dtd_and_entity_declarations_are_refused(tmp_path, prolog):
    path = write(tmp_path, "F7100.xml", xml_fiche("F7100", paragraph="Texte &lol2;", prolog=prolog))
    with translation.override("en"), pytest.raises(KnowledgeFileError, match="DTD and entity"):
        read_knowledge_file(path)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_knowledge", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "F7100.xml" in err.getvalue()
    assert KnowledgeArticle.objects.count() == 0


def test_entity_declarations_are_refused_whatever_the_encoding(tmp_path):
    content = xml_fiche("F7101", paragraph="Texte &lol2;", prolog=ENTITY_BOMB).replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    )
    path = tmp_path / "F7101.xml"
    path.write_bytes(content.encode("utf-16"))
    with pytest.raises(KnowledgeFileError):
        read_knowledge_file(path)


def test_a_doctype_after_a_long_prolog_comment_is_refused(tmp_path):
    prolog = f'<!-- {"x" * 3000} -->\n<!DOCTYPE Publication SYSTEM "publication.dtd">\n'
    path = write(tmp_path, "F7102.xml", xml_fiche("F7102", prolog=prolog))
    with pytest.raises(KnowledgeFileError):
        read_knowledge_file(path)


# --- re-import ------------------------------------------------------------------------------


def test_reimporting_a_changed_file_updates_the_article_in_place(tmp_path):
    path = write(
        tmp_path,
        "fiche.md",
        markdown(
            "GUI-T400",
            "Chèque énergie",
            "Le chèque énergie aide à payer les factures de chauffage au fioul.\n\n"
            "## Utilisation\nIl se présente au fournisseur de fioul.\n",
        ),
    )
    run_import(tmp_path)
    article = KnowledgeArticle.objects.get(external_id="GUI-T400")
    old_passages = set(article.passages.values_list("pk", flat=True))
    old_documents = set(
        SearchDocument.objects.filter(passage__article=article).values_list("pk", flat=True)
    )
    assert top_titles("fioul", 0)

    path.write_text(
        markdown(
            "GUI-T400",
            "Chèque énergie",
            "Le chèque énergie aide à payer les factures de chauffage au granulé de bois.\n\n"
            "## Utilisation\nIl se présente au fournisseur de granulés.\n\n"
            "## Validité\nLe chèque est valable jusqu'au 31 mars.\n",
        ),
        encoding="utf-8",
    )
    out, _ = run_import(tmp_path)
    assert "0 created, 1 updated, 0 unchanged" in out
    assert KnowledgeArticle.objects.filter(external_id="GUI-T400").count() == 1
    updated = KnowledgeArticle.objects.get(external_id="GUI-T400")
    assert updated.pk == article.pk
    assert "granulé de bois" in updated.body and "fioul" not in updated.body
    passages = list(updated.passages.order_by("position"))
    assert len(passages) == 3
    assert not old_passages & {p.pk for p in passages}
    assert [p.position for p in passages] == [0, 1, 2]
    documents = SearchDocument.objects.filter(passage__article=updated)
    assert documents.count() == 3
    assert not old_documents & set(documents.values_list("pk", flat=True))
    assert SearchDocument.objects.count() == 3
    assert not Posting.objects.exclude(document__in=documents).exists()
    assert top_titles("fioul", 0) == []
    assert top_titles("granulés", 0)


def test_reimporting_unchanged_files_reports_them_unchanged(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "F9001.xml")
    write(tmp_path, "fiche.md", markdown())
    run_import(tmp_path)
    before = counts()
    rows = {a.pk: a.modified_at for a in KnowledgeArticle.objects.all()}
    documents = set(SearchDocument.objects.values_list("pk", flat=True))
    out, _ = run_import(tmp_path)
    assert "0 created, 0 updated, 2 unchanged, 0 skipped" in out
    assert counts() == before
    assert {a.pk: a.modified_at for a in KnowledgeArticle.objects.all()} == rows
    assert set(SearchDocument.objects.values_list("pk", flat=True)) == documents


# --- ownership ------------------------------------------------------------------------------


def test_an_administrations_own_articles_are_separate_from_national_ones(tmp_path):
    caf = make_administration("CAF de l'Isère", code="CAF38")
    national = tmp_path / "national"
    own = tmp_path / "own"
    write(national, "fiche.md", markdown("GUI-T500", "Fiche nationale", "Texte national.\n"))
    write(own, "fiche.md", markdown("GUI-T500", "Fiche de la caisse", "Texte de la caisse.\n"))
    run_import(national)
    out, _ = run_import(own, "--administration", caf.slug)
    assert "1 created" in out
    articles = KnowledgeArticle.objects.filter(external_id="GUI-T500")
    assert articles.count() == 2
    mine = articles.get(administration=caf)
    theirs = articles.get(administration__isnull=True)
    assert mine.title == "Fiche de la caisse" and theirs.title == "Fiche nationale"
    assert set(
        SearchDocument.objects.filter(passage__article=mine).values_list(
            "administration_id", flat=True
        )
    ) == {caf.pk}
    assert set(
        SearchDocument.objects.filter(passage__article=theirs).values_list(
            "administration_id", flat=True
        )
    ) == {None}

    # Re-importing the national file changes the national article only.
    write(national, "fiche.md", markdown("GUI-T500", "Fiche nationale v2", "Texte national.\n"))
    out, _ = run_import(national)
    assert "1 updated" in out
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.title == "Fiche de la caisse" and theirs.title == "Fiche nationale v2"


# --- retiring -------------------------------------------------------------------------------


def test_retiring_an_article_removes_it_from_retrieval_at_once(tmp_path):
    write(
        tmp_path,
        "fiche.md",
        markdown("GUI-T600", "Titre de transport", "Le pass navigo solidarité est réduit.\n"),
    )
    run_import(tmp_path)
    article = KnowledgeArticle.objects.get(external_id="GUI-T600")
    assert top_titles("navigo", 0) == ["Titre de transport"]

    knowledge_services.article_set_active(article=article, active=False)
    assert top_titles("navigo", 0) == []
    assert not SearchDocument.objects.filter(passage__article=article).exists()
    assert not Posting.objects.filter(term__in=analyse("navigo")).exists()
    article.refresh_from_db()
    assert not article.is_active
    assert article.passages.exists()  # retired, not deleted

    knowledge_services.article_set_active(article=article, active=True)
    assert top_titles("navigo", 0) == ["Titre de transport"]


@pytest.mark.parametrize(
    "content",
    [
        markdown("GUI-T700").replace(
            "source_url: https://guichet.example.gouv.fr/fiches/GUI-T700", "source_url: pas-une-url"
        ),
        markdown("GUI-" + "X" * 70),
    ],
    ids=["source_url", "long_external_id"],
)
def test_a_front_matter_value_the_article_refuses_is_reported_with_its_file(tmp_path, content):
    write(tmp_path, "a-valid.md", markdown("GUI-T100", "Une fiche valide"))
    write(tmp_path, "z-bad.md", content)
    before = counts()
    err = StringIO()
    try:
        with pytest.raises(CommandError):
            call_command("import_knowledge", str(tmp_path), stdout=StringIO(), stderr=err)
        assert "z-bad.md" in err.getvalue()
    finally:
        assert counts() == before


def test_a_batch_failing_while_writing_is_rolled_back_entirely(tmp_path):
    write(tmp_path, "a-valid.md", markdown("GUI-T100", "Une fiche valide"))
    write(tmp_path, "z-bad.md", markdown("GUI-" + "X" * 70))
    before = counts()
    with pytest.raises((knowledge_services.KnowledgeImportError, ValidationError)):
        knowledge_services.knowledge_import(path=tmp_path)
    assert counts() == before
