"""Each channel's natural payload (a Services Publics+ experience, a service-public.fr question,
a France Services accompaniment record) mapped to what ``case_create`` needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ..models import Channel, Priority


@dataclass
class CaseFields:
    """What a channel's payload gives for ``case_create``."""

    subject: str
    body: str
    usager_name: str = ""
    usager_email: str = ""
    usager_phone: str = ""
    priority: int = Priority.NORMAL
    tags: list[str] = field(default_factory=list)
    external_id: str = ""
    created_at: dt.datetime | None = None


def _person(data: dict | None) -> str:
    data = data or {}
    return " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)


def _context(lines: list[tuple[str, Any]]) -> str:
    """Lines of context shown under the usager's text (what the channel knew)."""
    shown = [f"{label} : {value}" for label, value in lines if value not in (None, "", [])]
    return ("\n\n—\n" + "\n".join(shown)) if shown else ""


def map_services_publics_plus(data: dict) -> CaseFields:
    author = data.get("author") or {}
    structure = data["structure"]
    experience_date = data.get("experience_date")
    return CaseFields(
        subject=data["title"],
        body=data["description"]
        + _context(
            [
                (_("Structure"), structure["name"]),
                (_("Site"), structure.get("site", "")),
                (
                    _("Date of the experience"),
                    experience_date.strftime("%d/%m/%Y") if experience_date else "",
                ),
                (_("Feeling"), data.get("feeling", "")),
                (_("Tags"), ", ".join(data.get("tags") or [])),
                (_("Experience on Services Publics+"), data.get("url", "")),
            ]
        ),
        usager_name=_person(author),
        usager_email=author.get("email", ""),
        tags=list(data.get("tags") or []),
        external_id=str(data.get("id") or ""),
        created_at=data.get("published_at"),
    )


def map_service_public_question(data: dict) -> CaseFields:
    usager = data["usager"]
    fiche = data.get("fiche") or {}
    return CaseFields(
        subject=data["subject"],
        body=data["question"]
        + _context(
            [
                (
                    _("Fiche"),
                    " — ".join(
                        p for p in (fiche.get("reference", ""), fiche.get("title", "")) if p
                    ),
                ),
                (_("Fiche URL"), fiche.get("url", "")),
                (_("Postal code"), usager.get("postal_code", "")),
            ]
        ),
        usager_name=_person(usager),
        usager_email=usager["email"],
        usager_phone=usager.get("phone", ""),
        tags=[data["theme"]] if data.get("theme") else [],
        external_id=str(data.get("id") or ""),
        created_at=data.get("submitted_at"),
    )


def map_france_services(data: dict) -> CaseFields:
    usager = data["usager"]
    site = data["site"]
    conseiller = data["conseiller"]
    demarche = data["demarche"]
    subject = demarche["label"]
    if demarche.get("organisme"):
        subject = f"{subject} ({demarche['organisme']})"
    return CaseFields(
        subject=subject[:300],
        body=data["notes"]
        + _context(
            [
                (_("France Services site"), site["name"]),
                (
                    _("Adviser"),
                    f"{_person(conseiller)} <{conseiller['email']}>"
                    if conseiller.get("email")
                    else _person(conseiller),
                ),
                (_("Procedure"), demarche["label"]),
                (_("Partner body"), demarche.get("organisme", "")),
                (_("Reference at the partner"), demarche.get("reference", "")),
            ]
        ),
        usager_name=_person(usager),
        usager_email=usager.get("email", ""),
        usager_phone=usager.get("phone", ""),
        priority=Priority.HIGH if data.get("urgent") else Priority.NORMAL,
        tags=[demarche["category"]] if demarche.get("category") else [],
        external_id=str(data.get("id") or ""),
        created_at=data.get("accompanied_at"),
    )


MAPPERS = {
    Channel.SERVICES_PUBLICS_PLUS: map_services_publics_plus,
    Channel.SERVICE_PUBLIC_QUESTION: map_service_public_question,
    Channel.FRANCE_SERVICES: map_france_services,
}
