"""The administrators' knowledge pages and API: own articles written, edited, retired and
imported (all or nothing, naming the bad file); national fiches read-only; tenancy; journal."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEntry
from drafting.knowledge import fiches
from drafting.knowledge.retrieval import get_retrievers
from drafting.models import KnowledgeArticle, Passage, SearchDocument
from tests.factories import make_topic

pytestmark = pytest.mark.django_db

PAGE = "/brouillons/connaissances/"
UPLOAD = "/brouillons/connaissances/import/"
NEW = "/brouillons/connaissances/nouvelle/"
API = "/api/v1/administration/knowledge/articles/"
DEMO = Path(__file__).resolve().parents[2] / "devtools" / "demo" / "knowledge"

BODY = (
    "Notre agence de Lyon Part-Dieu accueille le public du lundi au vendredi.\n\n"
    "## Rendez-vous\n"
    "Les rendez-vous se prennent sur le site de la caisse, rubrique « Mon compte », "
    "ou au téléphone. Apportez votre attestation de paiement et une pièce d'identité."
)


def signed_in(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def knowledge_audit(administration, action=None):
    rows = AuditEntry.objects.filter(
        administration=administration, category=AuditEntry.Category.KNOWLEDGE
    )
    return rows.filter(action=action) if action else rows


HOURS = (
    "L'agence est ouverte du lundi au vendredi de 8 h 30 à 16 h 30, sans rendez-vous le "
    "matin. Le jeudi après-midi est réservé aux rendez-vous.\n"
)


def markdown(external_id: str, title: str = "Horaires de l'agence", body: str = HOURS) -> bytes:
    return f"---\nexternal_id: {external_id}\ntitle: {title}\n---\n{body}".encode()


def own_article(tenant, **kwargs) -> KnowledgeArticle:
    from drafting.knowledge.services import article_write

    fields = {"title": "Accueil de l'agence de Lyon", "body": BODY} | kwargs
    return article_write(actor=tenant.administrator, administration=tenant.administration, **fields)


@pytest.fixture
def national(vitale_article) -> KnowledgeArticle:
    return KnowledgeArticle.objects.get(administration__isnull=True, external_id="TEST-VITALE")


def ranked_ids(tenant, query: str) -> list[int]:
    knowledge = get_retrievers(tenant.administration.pk)
    return [d.metadata["article_id"] for d in knowledge.invoke(query)]


# --- writing, editing, retiring --------------------------------------------------------------


def test_an_article_written_on_the_page_is_indexed_scoped_and_journaled(tenant_a, tenant_b):
    topic = make_topic(tenant_a.administration, "Accueil")
    client = signed_in(tenant_a.administrator)
    response = client.post(
        NEW,
        {
            "title": "Accueil de l'agence de Lyon Part-Dieu",
            "external_id": "CAF69-ACCUEIL",
            "summary": "Horaires et rendez-vous",
            "body": BODY,
            "source_url": "https://www.caf.fr/allocataires/caf-du-rhone",
            "topic": str(topic.pk),
        },
    )
    assert response.status_code == 302
    article = KnowledgeArticle.objects.get(external_id="CAF69-ACCUEIL")
    assert article.administration == tenant_a.administration
    assert article.source_format == "manual" and article.topic == topic
    headings = list(article.passages.values_list("heading", flat=True))
    assert headings == [
        "Accueil de l'agence de Lyon Part-Dieu",
        "Accueil de l'agence de Lyon Part-Dieu › Rendez-vous",
    ]
    assert article.pk in ranked_ids(tenant_a, "rendez-vous agence Part-Dieu attestation")
    # Another administration's drafts never see it.
    assert article.pk not in ranked_ids(tenant_b, "rendez-vous agence Part-Dieu attestation")
    entry = knowledge_audit(tenant_a.administration, "knowledge.article_created").get()
    assert entry.actor == tenant_a.administrator and entry.data["article"] == article.pk


def test_editing_reindexes_and_journals_before_and_after(tenant_a):
    article = own_article(tenant_a)
    client = signed_in(tenant_a.administrator)
    response = client.post(
        f"{PAGE}{article.pk}/",
        {
            "title": "Accueil de l'agence de Vénissieux",
            "summary": "",
            "body": "L'agence de Vénissieux reçoit uniquement sur rendez-vous le mercredi.",
            "source_url": "",
            "topic": "",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Accueil de l'agence de Vénissieux"
    assert list(article.passages.values_list("heading", flat=True)) == [article.title]
    assert article.pk in ranked_ids(tenant_a, "Vénissieux mercredi")
    assert article.pk not in ranked_ids(tenant_a, "Part-Dieu attestation")
    entry = knowledge_audit(tenant_a.administration, "knowledge.article_edited").get()
    assert entry.data["before"]["title"] == "Accueil de l'agence de Lyon"
    assert entry.data["after"]["title"] == "Accueil de l'agence de Vénissieux"


def test_retiring_removes_it_from_drafts_and_reactivating_brings_it_back(tenant_a):
    article = own_article(tenant_a)
    client = signed_in(tenant_a.administrator)
    assert client.post(f"{PAGE}{article.pk}/activite/", {"active": "0"}).status_code == 302
    article.refresh_from_db()
    assert not article.is_active
    assert not SearchDocument.objects.filter(passage__article=article).exists()
    assert Passage.objects.filter(article=article).exists()  # retired, not deleted
    assert article.pk not in ranked_ids(tenant_a, "rendez-vous Part-Dieu attestation")
    client.post(f"{PAGE}{article.pk}/activite/", {"active": "1"})
    article.refresh_from_db()
    assert article.is_active
    assert article.pk in ranked_ids(tenant_a, "rendez-vous Part-Dieu attestation")
    assert [e.action for e in knowledge_audit(tenant_a.administration).order_by("pk")] == [
        "knowledge.article_created",
        "knowledge.article_retired",
        "knowledge.article_reactivated",
    ]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "", "body": BODY}, "title"),
        ({"title": "Titre", "body": ""}, "body"),
        ({"title": "Titre", "body": BODY, "external_id": "pas d'espaces"}, "external_id"),
        ({"title": "Titre", "body": BODY, "source_url": "javascript:alert(1)"}, "source_url"),
    ],
)
def test_bad_article_input_is_refused_with_the_field(tenant_a, data, field):
    response = signed_in(tenant_a.administrator).post(NEW, data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.content.decode()
    assert not KnowledgeArticle.objects.filter(administration=tenant_a.administration).exists()


def test_an_identifier_already_used_is_refused(tenant_a):
    own_article(tenant_a, external_id="CAF69-1")
    response = signed_in(tenant_a.administrator).post(
        NEW, {"title": "Autre", "body": BODY, "external_id": "CAF69-1"}
    )
    assert response.status_code == 400 and 'id="external_id-error"' in response.content.decode()


def test_national_fiches_are_listed_read_only(tenant_a, national):
    client = signed_in(tenant_a.administrator)
    listing = client.get(f"{PAGE}?portee=nationale").content.decode()
    assert f'data-article="{national.pk}"' in listing
    page = client.get(f"{PAGE}{national.pk}/")
    assert page.status_code == 200 and 'name="body"' not in page.content.decode()
    assert client.post(f"{PAGE}{national.pk}/", {"title": "X", "body": BODY}).status_code == 403
    assert client.post(f"{PAGE}{national.pk}/activite/", {"active": "0"}).status_code == 403
    assert (
        client.patch(f"{API}{national.pk}/", {"is_active": False}, "application/json").status_code
        == 403
    )
    national.refresh_from_db()
    assert national.is_active and national.title == "Carte Vitale perdue ou volée"


# --- import ----------------------------------------------------------------------------------


def test_uploading_fiches_imports_them_into_the_administration(tenant_a):
    files = [
        SimpleUploadedFile("F9101.xml", (DEMO / "F9101.xml").read_bytes()),
        SimpleUploadedFile("horaires.md", markdown("CAF69-HORAIRES")),
    ]
    response = signed_in(tenant_a.administrator).post(UPLOAD, {"files": files})
    assert response.status_code == 302
    own = KnowledgeArticle.objects.filter(administration=tenant_a.administration)
    assert set(own.values_list("external_id", flat=True)) == {"F9101", "CAF69-HORAIRES"}
    entry = knowledge_audit(tenant_a.administration, "knowledge.imported").get()
    assert entry.data["files"] == ["F9101.xml", "horaires.md"] and entry.data["created"] == 2


def test_an_upload_with_one_bad_file_imports_nothing_and_names_it(tenant_a):
    files = [
        SimpleUploadedFile("bon.md", markdown("CAF69-BON")),
        SimpleUploadedFile("mauvais.md", b"pas de front matter ici\n"),
        SimpleUploadedFile("F9102.xml", (DEMO / "F9102.xml").read_bytes()),
    ]
    before = (KnowledgeArticle.objects.count(), Passage.objects.count())
    response = signed_in(tenant_a.administrator).post(UPLOAD, {"files": files})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="import-errors"' in html and "mauvais.md" in html
    assert "bon.md:" not in html
    assert (KnowledgeArticle.objects.count(), Passage.objects.count()) == before
    assert not knowledge_audit(tenant_a.administration).exists()


def test_upload_errors_are_in_the_pages_language_and_name_the_files_as_chosen(tenant_a):
    """French on the French page: the parser's messages are translated; a file named in a
    message is named as the person chose it, not as it was saved for the import."""
    files = [
        SimpleUploadedFile("premier.md", markdown("CAF69-MEME")),
        SimpleUploadedFile("second.md", markdown("CAF69-MEME")),
        SimpleUploadedFile("casse.xml", b'<?xml version="1.0"?>\n<Publication ID="F1">\n<a></b>'),
    ]
    client = signed_in(tenant_a.administrator)
    response = client.post(UPLOAD, {"files": files}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    html = unescape(response.content.decode())
    html = html.replace("\u00a0", " ")  # French puts a no-break space before the colon
    assert "casse.xml : XML mal formé (ligne 3, colonne" in html
    assert "second.md : l'identifiant CAF69-MEME est aussi utilisé par premier.md." in html
    assert "0000-" not in html and "0001-" not in html


def test_a_fiche_cut_into_too_many_passages_is_refused(tenant_a, monkeypatch):
    monkeypatch.setattr(fiches, "MAX_PASSAGES", 2)
    long = "\n\n".join(" ".join(["mot"] * 200) for _ in range(3))
    files = [SimpleUploadedFile("long.md", markdown("CAF69-LONG", body=long))]
    response = signed_in(tenant_a.administrator).post(
        UPLOAD, {"files": files}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "is cut into 3 passages, more than the 2 a fiche may have" in response.content.decode()
    assert not KnowledgeArticle.objects.filter(administration=tenant_a.administration).exists()


@pytest.mark.parametrize(
    "files",
    [
        [],
        [SimpleUploadedFile("note.txt", b"bonjour")],
        [SimpleUploadedFile("a.md", b"x"), SimpleUploadedFile("a.md", b"y")],
    ],
)
def test_an_upload_without_fiches_is_refused(tenant_a, files):
    response = signed_in(tenant_a.administrator).post(UPLOAD, {"files": files})
    assert response.status_code == 400
    assert 'id="import-errors"' in response.content.decode()
    assert not KnowledgeArticle.objects.filter(administration=tenant_a.administration).exists()


# --- roles and tenancy -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_get_403(tenant_a, role):
    article = own_article(tenant_a)
    client = signed_in(getattr(tenant_a, role))
    assert client.get(PAGE).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"title": "T", "body": BODY}).status_code == 403
    assert client.get(f"{PAGE}{article.pk}/").status_code == 403
    assert client.post(f"{PAGE}{article.pk}/activite/", {"active": "0"}).status_code == 403
    upload = [SimpleUploadedFile("bon.md", markdown("CAF69-BON"))]
    assert client.post(UPLOAD, {"files": upload}).status_code == 403
    assert client.get(API).status_code == 403
    assert client.post(API, {"title": "T", "body": BODY}, "application/json").status_code == 403
    assert (
        client.patch(f"{API}{article.pk}/", {"is_active": False}, "application/json").status_code
        == 403
    )
    article.refresh_from_db()
    assert article.is_active
    assert KnowledgeArticle.objects.filter(administration=tenant_a.administration).count() == 1


def test_another_administrations_article_is_404(tenant_a, tenant_b):
    article = own_article(tenant_a)
    client = signed_in(tenant_b.administrator)
    assert client.get(f"{PAGE}{article.pk}/").status_code == 404
    assert client.post(f"{PAGE}{article.pk}/", {"title": "X", "body": BODY}).status_code == 404
    assert client.post(f"{PAGE}{article.pk}/activite/", {"active": "0"}).status_code == 404
    assert client.get(f"{API}{article.pk}/").status_code == 404
    response = client.patch(f"{API}{article.pk}/", {"is_active": False}, "application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert f'data-article="{article.pk}"' not in client.get(PAGE).content.decode()
    assert article.pk not in [a["id"] for a in client.get(API).json()]
    article.refresh_from_db()
    assert article.is_active and article.title == "Accueil de l'agence de Lyon"


# --- the API ---------------------------------------------------------------------------------


def test_the_api_creates_edits_retires_and_lists(tenant_a, national):
    client = signed_in(tenant_a.administrator)
    created = client.post(
        API,
        {"title": "Accueil", "body": BODY, "external_id": "CAF69-API"},
        "application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["scope"] == "administration"
    edited = client.patch(f"{API}{pk}/", {"title": "Accueil du public"}, "application/json")
    assert edited.status_code == 200 and edited.json()["title"] == "Accueil du public"
    assert edited.json()["body"] == BODY
    retired = client.patch(f"{API}{pk}/", {"is_active": False}, "application/json")
    assert retired.json()["is_active"] is False
    own = client.get(API).json()
    assert [a["id"] for a in own] == [pk]
    listed = client.get(f"{API}?scope=national").json()
    assert national.pk in [a["id"] for a in listed]
    bad = client.post(API, {"title": "", "body": ""}, "application/json")
    assert bad.status_code == 400 and {"title", "body"} <= set(bad.json()["fields"])
    foreign_topic = make_topic(None, "Nationale").pk
    ok_topic = client.patch(f"{API}{pk}/", {"topic": foreign_topic}, "application/json")
    assert ok_topic.status_code == 200
    assert [e.action for e in knowledge_audit(tenant_a.administration).order_by("pk")] == [
        "knowledge.article_created",
        "knowledge.article_edited",
        "knowledge.article_retired",
        "knowledge.article_edited",
    ]


def test_the_api_refuses_a_topic_of_another_administration(tenant_a, tenant_b):
    theirs = make_topic(tenant_b.administration, "Accueil CPAM")
    response = signed_in(tenant_a.administrator).post(
        API, {"title": "T", "body": BODY, "topic": theirs.pk}, "application/json"
    )
    assert response.status_code == 400 and "topic" in response.json()["fields"]


# --- accessibility and queries ---------------------------------------------------------------


def test_the_pages_are_labelled_and_the_list_queries_do_not_grow(tenant_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases.test_accessibility import _check

    topic = make_topic(tenant_a.administration, "Accueil")
    client = signed_in(tenant_a.administrator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        assert response.status_code == 200
        _check(response.content.decode())
        return len(captured)

    article = own_article(tenant_a, topic=topic)
    queries()  # the first request of a session sets it up
    few = queries()
    for index in range(10):
        own_article(tenant_a, title=f"Article {index}", topic=topic)
    assert queries() == few
    for url in (NEW, f"{PAGE}{article.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        _check(response.content.decode())


def test_the_import_api_is_all_or_nothing_and_names_the_bad_file(tenant_a, tenant_b):
    client = signed_in(tenant_a.administrator)
    bad = client.post(
        "/api/v1/administration/knowledge/import/",
        {
            "files": [
                SimpleUploadedFile("bon.md", markdown("CAF69-BON")),
                SimpleUploadedFile("cassé.md", b"sans en-tete\n"),
            ]
        },
    )
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "invalid" and any("cassé.md" in m for m in body["fields"]["files"])
    assert not KnowledgeArticle.objects.filter(administration=tenant_a.administration).exists()
    good = client.post(
        "/api/v1/administration/knowledge/import/",
        {"files": [SimpleUploadedFile("bon.md", markdown("CAF69-BON"))]},
    )
    assert good.status_code == 201 and good.json()["created"] == 1
    assert KnowledgeArticle.objects.get(external_id="CAF69-BON").administration == (
        tenant_a.administration
    )
    empty = client.post("/api/v1/administration/knowledge/import/", {})
    assert empty.status_code == 400 and "files" in empty.json()["fields"]
    other = signed_in(tenant_b.agent).post(
        "/api/v1/administration/knowledge/import/",
        {"files": [SimpleUploadedFile("x.md", markdown("CPAM-X"))]},
    )
    assert other.status_code == 403
    assert knowledge_audit(tenant_a.administration, "knowledge.imported").count() == 1


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (
            b'<?xml version="1.0"?>\n<Publication ID="F1">\n<Chapitre><Paragraphe>x</Chapitre>',
            "(line 3, column 26). The closing tag </Chapitre> does not match the element",
        ),
        (b'<Publication ID="F1">', "The file ends before its elements are closed"),
        (b'<Publication ID="F1">a&nbsp;b</Publication>', "An unknown entity such as &nbsp;"),
        (b'<Publication ID="F1">a < b</Publication>', "write &lt; or &amp;"),
        (b'<Publication ID="F1"/>\n<Publication ID="F2"/>', "Text after the end of"),
    ],
)
def test_a_malformed_fiche_is_refused_saying_where_and_what_is_wrong_in_words(tenant_a, raw, said):
    """The parser's own message ("mismatched tag") is English jargon: the page says what to
    fix, where (columns counted from 1), and imports nothing of the batch."""
    files = [
        SimpleUploadedFile("bon.md", markdown("CAF69-BON")),
        SimpleUploadedFile("casse.xml", raw),
    ]
    before = (KnowledgeArticle.objects.count(), Passage.objects.count())

    response = signed_in(tenant_a.administrator).post(UPLOAD, {"files": files})

    assert response.status_code == 400
    html = unescape(response.content.decode())
    # The English separator, not the French " : " the page used to write in every language.
    assert "casse.xml: malformed XML" in html
    assert said in html
    assert "mismatched tag" not in html and "not well-formed (invalid token)" not in html
    assert (KnowledgeArticle.objects.count(), Passage.objects.count()) == before


def test_a_skipped_publication_is_explained(tenant_a):
    """An R… resource of the export is no fiche: "skipped: 1" comes with why."""
    resource = b'<?xml version="1.0"?>\n<Publication ID="R123" type="Ressource"/>'
    files = [SimpleUploadedFile("R123.xml", resource)]
    response = signed_in(tenant_a.administrator).post(UPLOAD, {"files": files}, follow=True)
    html = unescape(response.content.decode())
    assert "skipped: 1" in html
    assert "publications that are not fiches (resources R…)" in html
    files = [SimpleUploadedFile("bon.md", markdown("CAF69-BON"))]
    response = signed_in(tenant_a.administrator).post(UPLOAD, {"files": files}, follow=True)
    assert "not fiches" not in unescape(response.content.decode())
