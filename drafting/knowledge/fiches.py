"""Reading knowledge files: service-public.fr XML fiches and Markdown with front matter.

Parsing only: files in, ``ArticleData`` out, or ``KnowledgeFileError`` naming the file and
the problem. Writing is drafting.knowledge.services.knowledge_import's job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from cases.dates import date_out_of_range

from .text import strip_accents

# The parser's error codes by name (xml.parsers.expat.errors holds them by message).
_EXPAT_CODE = {
    name: expat.errors.codes[getattr(expat.errors, name)]
    for name in (
        "XML_ERROR_TAG_MISMATCH",
        "XML_ERROR_NO_ELEMENTS",
        "XML_ERROR_UNCLOSED_TOKEN",
        "XML_ERROR_UNDEFINED_ENTITY",
        "XML_ERROR_JUNK_AFTER_DOC_ELEMENT",
        "XML_ERROR_DUPLICATE_ATTRIBUTE",
        "XML_ERROR_INVALID_TOKEN",
    )
}
MAX_FILE_BYTES = 5 * 1024 * 1024
# A service-public.fr fiche is cut into a few dozen passages (the longest, a few hundred): more
# is not a fiche but a document dump, which would hold a request and the workers for minutes.
MAX_PASSAGES = 500
PASSAGE_WORDS = 160  # a passage is about a paragraph or two: precise sources, enough context


class KnowledgeFileError(ValueError):
    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass
class ArticleData:
    external_id: str
    title: str
    body: str
    source_format: str
    summary: str = ""
    source_url: str = ""
    topic_slug: str = ""
    updated_on: dt.date | None = None
    passages: list[tuple[str, str]] = field(default_factory=list)  # (heading chain, text)

    @property
    def content_hash(self) -> str:
        payload = "\x1f".join(
            [
                self.title,
                self.summary,
                self.body,
                self.source_url,
                self.topic_slug,
                str(self.updated_on or ""),
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()


# --- topic mapping --------------------------------------------------------------------------

# National topic slugs (see drafting/demo/topics.py) guessed from a fiche's subject and themes.
_TOPIC_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("etrangers", ("etranger", "titre de sejour", "naturalisation", "visa")),
    ("etudes", ("etudes", "etudiant", "bourse", "crous")),
    ("vehicules", ("transport", "vehicule", "carte grise", "permis", "immatriculation")),
    ("identite", ("papiers", "identite", "passeport")),
    ("handicap", ("handicap",)),
    ("retraite", ("retraite",)),
    ("impots", ("impot", "fiscal", "taxe")),
    ("emploi", ("travail", "chomage", "emploi", "formation")),
    ("logement", ("logement", "loyer", "habitation")),
    ("energie", ("energie", "renovation")),
    ("famille", ("famille", "enfant", "naissance", "scolarite")),
    ("sante", ("sante", "maladie", "soins")),
    ("solidarite", ("social", "rsa", "solidarite", "prime d'activite")),
    ("citoyennete", ("citoyennete", "election", "etat civil")),
]


def guess_topic(*texts: str) -> str:
    haystack = strip_accents(" ".join(texts).lower())
    for slug, keywords in _TOPIC_KEYWORDS:
        if any(keyword in haystack for keyword in keywords):
            return slug
    return ""


# --- passages -------------------------------------------------------------------------------


def split_passages(sections: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """Group each section's blocks into passages of about PASSAGE_WORDS words."""
    passages: list[tuple[str, str]] = []
    for heading, blocks in sections:
        current: list[str] = []
        words = 0
        for block in blocks:
            block = block.strip()
            if not block:
                continue
            size = len(block.split())
            if current and words + size > PASSAGE_WORDS:
                passages.append((heading, "\n".join(current)))
                current, words = [], 0
            current.append(block)
            words += size
        if current:
            passages.append((heading, "\n".join(current)))
    return passages


# --- service-public.fr XML ------------------------------------------------------------------

_SKIPPED = {
    "OuSAdresser",
    "RefActualite",
    "Reference",
    "ServiceEnLigne",
    "QuestionReponse",
    "Theme",
    "Audience",
    "SurTitre",
    "Titre",
    "PourEnSavoirPlus",
    "Partenaire",
    "Definition",
    "Abreviation",
    "InformationComplementaire",
    "Montant",
}
_BOXES = {"ANoter": "À noter", "ASavoir": "À savoir", "Attention": "Attention", "Rappel": "Rappel"}
_DC = "{http://purl.org/dc/elements/1.1/}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _inline(element: ET.Element) -> str:
    """All text below ``element`` on one line (links keep their words)."""
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _title_of(element: ET.Element) -> str:
    for child in element:
        if _local(child.tag) == "Titre":
            return _inline(child)
    return ""


_STRUCTURE = {"Chapitre", "SousChapitre", "Situation", "Texte", "ListeSituations"}


def _blocks(element: ET.Element, *, flatten: bool = False) -> list[str]:
    """Text blocks of ``element``'s own content, lists as lines and tables as rows.

    Chapters, situations and nested texts are left to ``_sections`` unless ``flatten``
    (inside a box or a case, everything belongs to the block).
    """
    blocks: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag in _SKIPPED or (tag in _STRUCTURE and not flatten):
            continue
        if tag == "Paragraphe":
            text = _inline(child)
            if text:
                blocks.append(text)
        elif tag == "Liste":
            items = [_inline(item) for item in child if _local(item.tag) == "Item"]
            blocks.append("\n".join(f"- {item}" for item in items if item))
        elif tag == "Tableau":
            rows = []
            title = _title_of(child)
            if title:
                rows.append(title + " :")
            for row in child:
                if _local(row.tag) != "Rangée":
                    continue
                cells = [_inline(cell) for cell in row if _local(cell.tag) == "Cellule"]
                rows.append(" | ".join(cells))
            blocks.append("\n".join(rows))
        elif tag in _BOXES:
            label = _title_of(child) or _BOXES[tag]
            inner = " ".join(_blocks(child, flatten=True))
            if inner:
                blocks.append(f"{label} : {inner}")
        elif tag == "BlocCas":
            for cas in child:
                if _local(cas.tag) == "Cas":
                    inner = " ".join(_blocks(cas, flatten=True))
                    if inner:
                        blocks.append(f"{_title_of(cas)} : {inner}")
        else:
            blocks.extend(_blocks(child, flatten=flatten))
    return blocks


def _sections(element: ET.Element, trail: list[str]) -> list[tuple[str, list[str]]]:
    """(heading chain, blocks) for ``element`` and each chapter or situation below it."""
    sections: list[tuple[str, list[str]]] = []
    own = _blocks(element)
    if own:
        sections.append((" › ".join(trail), own))
    for child in element:
        tag = _local(child.tag)
        if tag in ("Chapitre", "SousChapitre", "Situation"):
            title = _title_of(child)
            sections.extend(_sections(child, [*trail, title] if title else trail))
        elif tag in ("Texte", "ListeSituations"):
            sections.extend(_sections(child, trail))
    return sections


def _parse_xml(raw: bytes, path: Path) -> ET.Element:
    """Parse with DTDs and entity declarations refused, whatever the file's encoding.

    The export never declares a DTD; defusedxml refuses them in the parser itself, which
    rules out entity-expansion bombs and external fetches.
    """
    try:
        return DefusedET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise KnowledgeFileError(path, _("DTD and entity declarations are not accepted.")) from exc
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        # Where (columns counted from 1, as editors do) and what, in words: the parser's own
        # message ("mismatched tag") is English and says nothing to whoever wrote the fiche.
        where = _("malformed XML (line %(line)d, column %(column)d).") % {
            "line": line,
            "column": column + 1,
        }
        raise KnowledgeFileError(
            path, f"{where} {_xml_error_in_words(exc, raw, line, column)}"
        ) from exc


def _xml_error_in_words(exc: ET.ParseError, raw: bytes, line: int, column: int) -> str:
    code = getattr(exc, "code", None)
    if code == _EXPAT_CODE["XML_ERROR_TAG_MISMATCH"]:
        lines = raw.decode("utf-8", "replace").splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        # The parser points at the closing tag's name (or its "<", depending on the version).
        start = text.rfind("</", 0, column + 2)
        found = re.match(r"</([\w:.-]+)", text[start:]) if start >= 0 else None
        if found:
            return _(
                "The closing tag </%(tag)s> does not match the element still open before it "
                "(a tag left unclosed?)."
            ) % {"tag": found.group(1)}
        return _("A closing tag does not match the element still open before it.")
    if code in (_EXPAT_CODE["XML_ERROR_NO_ELEMENTS"], _EXPAT_CODE["XML_ERROR_UNCLOSED_TOKEN"]):
        return _("The file ends before its elements are closed (or it is empty).")
    if code == _EXPAT_CODE["XML_ERROR_UNDEFINED_ENTITY"]:
        return _("An unknown entity such as &nbsp;: write the character itself.")
    if code == _EXPAT_CODE["XML_ERROR_JUNK_AFTER_DOC_ELEMENT"]:
        return _("Text after the end of </Publication>.")
    if code == _EXPAT_CODE["XML_ERROR_DUPLICATE_ATTRIBUTE"]:
        return _("The same attribute is given twice in one tag.")
    if code == _EXPAT_CODE["XML_ERROR_INVALID_TOKEN"]:
        return _(
            "A character not allowed here: a “<” or “&” in the text (write &lt; or &amp;), "
            "or a file not saved in UTF-8."
        )
    return _("The file is not well-formed XML.")


def parse_service_public_xml(path: Path) -> ArticleData | None:
    """One fiche, or None for the export's other publications (R... resources, themes)."""
    root = _parse_xml(path.read_bytes(), path)
    if _local(root.tag) != "Publication":
        raise KnowledgeFileError(path, _("the root element is not <Publication>."))
    publication_id = (root.get("ID") or "").strip()
    if not publication_id:
        raise KnowledgeFileError(path, _("<Publication> has no ID attribute."))
    if not publication_id.startswith(("F", "N")):
        return None
    title = _inline(root.find(f"{_DC}title")) if root.find(f"{_DC}title") is not None else ""
    if not title:
        raise KnowledgeFileError(path, _("the fiche has no <dc:title>."))
    description = root.find(f"{_DC}description")
    subject = root.find(f"{_DC}subject")
    date = root.find(f"{_DC}date")
    updated_on = None
    if date is not None and date.text:
        match = re.search(r"(\d{4})-(\d{2})-(\d{2})", date.text)
        if match:
            try:
                updated_on = dt.date(*map(int, match.groups()))
            except ValueError as exc:
                raise KnowledgeFileError(
                    path, _("invalid <dc:date> “%(date)s”.") % {"date": date.text}
                ) from exc
            if out_of_range := date_out_of_range(updated_on):
                raise KnowledgeFileError(
                    path,
                    _("<dc:date> “%(date)s”: %(problem)s")
                    % {"date": date.text, "problem": out_of_range},
                )
    themes = [_inline(theme) for theme in root.iter("Theme")]
    sections: list[tuple[str, list[str]]] = []
    introduction = root.find("Introduction")
    if introduction is not None:
        sections.extend(_sections(introduction, [title]))
    for tag in ("Texte", "ListeSituations"):
        for element in root.findall(tag):
            sections.extend(_sections(element, [title]))
    passages = split_passages(sections)
    if not passages:
        raise KnowledgeFileError(path, _("the fiche has no text (no Introduction nor Texte)."))
    body = "\n\n".join(
        (f"{heading}\n{text}" if heading != title else text) for heading, text in passages
    )
    return ArticleData(
        external_id=publication_id,
        title=title,
        summary=_inline(description) if description is not None else "",
        body=body,
        source_format="sp_xml",
        source_url=(root.get("spUrl") or "").strip(),
        topic_slug=guess_topic(
            _inline(subject) if subject is not None else "", " ".join(themes), title
        ),
        updated_on=updated_on,
        passages=passages,
    )


# --- Markdown with front matter -------------------------------------------------------------

_FRONT_MATTER_KEYS = {"external_id", "title", "topic", "source_url", "updated", "summary"}


def parse_markdown(path: Path) -> ArticleData:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise KnowledgeFileError(path, _("missing front matter (the file must start with ---)."))
    try:
        _opening, header, content = text.split("---", 2)
    except ValueError as exc:
        raise KnowledgeFileError(path, _("the front matter is not closed by ---.")) from exc
    meta: dict[str, str] = {}
    for number, line in enumerate(header.strip().splitlines(), start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in _FRONT_MATTER_KEYS:
            raise KnowledgeFileError(
                path,
                _("line %(number)d: unknown front matter entry “%(line)s”.")
                % {"number": number, "line": line},
            )
        meta[key] = value.strip().strip('"')
    for required in ("external_id", "title"):
        if not meta.get(required):
            raise KnowledgeFileError(
                path, _("front matter: “%(entry)s” is required.") % {"entry": required}
            )
    updated_on = None
    if meta.get("updated"):
        try:
            updated_on = dt.date.fromisoformat(meta["updated"])
        except ValueError as exc:
            raise KnowledgeFileError(
                path,
                _("front matter: “updated” must be a date YYYY-MM-DD, not “%(value)s”.")
                % {"value": meta["updated"]},
            ) from exc
        if out_of_range := date_out_of_range(updated_on):
            raise KnowledgeFileError(
                path, _("front matter: “updated”: %(problem)s") % {"problem": out_of_range}
            )
    title = meta["title"]
    sections: list[tuple[str, list[str]]] = []
    heading_trail = [title]
    blocks: list[str] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    for line in content.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,4})\s+(.*)$", stripped)
        if heading:
            flush_paragraph()
            if blocks:
                sections.append((" › ".join(heading_trail), blocks))
                blocks = []
            level = len(heading.group(1))
            name = heading.group(2).strip()
            heading_trail = [title] if level <= 2 else heading_trail[:2]
            if level >= 2 and name != title:
                heading_trail = [*heading_trail, name]
        elif not stripped:
            flush_paragraph()
        elif stripped.startswith(("- ", "* ")):
            flush_paragraph()
            if blocks and blocks[-1].startswith("- "):
                blocks[-1] += "\n- " + stripped[2:].strip()
            else:
                blocks.append("- " + stripped[2:].strip())
        else:
            paragraph.append(stripped)
    flush_paragraph()
    if blocks:
        sections.append((" › ".join(heading_trail), blocks))
    passages = split_passages(sections)
    if not passages:
        raise KnowledgeFileError(path, _("the fiche has no text after its front matter."))
    body = content.strip()
    return ArticleData(
        external_id=meta["external_id"],
        title=title,
        summary=meta.get("summary", ""),
        body=body,
        source_format="markdown",
        source_url=meta.get("source_url", ""),
        topic_slug=meta.get("topic", "") or guess_topic(title, body[:500]),
        updated_on=updated_on,
        passages=passages,
    )


SUFFIXES = (".xml", ".md", ".markdown")
_URL = URLValidator(schemes=["http", "https"])


def _check_fields(data: ArticleData, path: Path) -> ArticleData:
    """Refuse, with the file's name, what the database would refuse later."""
    if len(data.external_id) > 64 or not re.fullmatch(r"[\w.-]+", data.external_id):
        raise KnowledgeFileError(
            path,
            _("external id “%(id)s” must be 1 to 64 letters, digits, . _ -")
            % {"id": data.external_id[:80]},
        )
    if len(data.title) > 300:
        raise KnowledgeFileError(path, _("the title is longer than 300 characters."))
    if len(data.passages) > MAX_PASSAGES:
        raise KnowledgeFileError(
            path,
            _(
                "the fiche is cut into %(count)d passages, more than the %(max)d a fiche may "
                "have: split it into several fiches."
            )
            % {"count": len(data.passages), "max": MAX_PASSAGES},
        )
    if data.source_url:
        try:
            _URL(data.source_url)
        except ValidationError as exc:
            raise KnowledgeFileError(
                path, _("“%(url)s” is not a web address.") % {"url": data.source_url}
            ) from exc
        if len(data.source_url) > 500:
            raise KnowledgeFileError(path, _("the source URL is longer than 500 characters."))
    return data


def read_knowledge_file(path: Path) -> ArticleData | None:
    """Parse one file by its extension; None for files an import skips."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise KnowledgeFileError(
            path, _("the file is larger than %(size)d MiB.") % {"size": MAX_FILE_BYTES // 2**20}
        )
    suffix = path.suffix.lower()
    try:
        if suffix == ".xml":
            data = parse_service_public_xml(path)
            return _check_fields(data, path) if data else None
        if suffix in (".md", ".markdown"):
            return _check_fields(parse_markdown(path), path)
    except UnicodeDecodeError as exc:
        raise KnowledgeFileError(path, _("the file is not UTF-8 text.")) from exc
    return None


def knowledge_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [path]
