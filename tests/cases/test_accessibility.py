"""RGAA basics checked on the rendered pages: every field has a label, every button a name,
information is never given by colour alone."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.factories import make_case


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.labels_for: set[str] = set()
        self.fields: list[dict] = []
        self.buttons: list[dict] = []
        self._button: dict | None = None
        self.images_without_alt = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if attrs.get("type") not in ("hidden", "submit", "button"):
                self.fields.append(attrs)
        elif tag == "button":
            self._button = {"attrs": attrs, "text": ""}
        elif tag == "img" and "alt" not in attrs:
            self.images_without_alt += 1

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            self.buttons.append(self._button)
            self._button = None


def _check(html: str) -> None:
    parser = _Fields()
    parser.feed(html)
    unlabelled = [
        f
        for f in parser.fields
        if f.get("id") not in parser.labels_for
        and not f.get("aria-label")
        and not f.get("aria-labelledby")
    ]
    assert unlabelled == [], unlabelled
    nameless = [
        b for b in parser.buttons if not b["text"].strip() and not b["attrs"].get("aria-label")
    ]
    assert nameless == [], nameless
    assert parser.images_without_alt == 0


@pytest.fixture
def case_with_draft(tenant_a, vitale_article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(tenant_a.administration, subject="Carte Vitale perdue")
    from cases.services import case_take

    return case_take(actor=tenant_a.agent, case=case)


@pytest.mark.parametrize("box", ["mine", "queue", "all"])
def test_inbox_fields_and_buttons_are_labelled(client, tenant_a, case_with_draft, box):
    client.force_login(tenant_a.manager)
    response = client.get(f"/dossiers/?box={box}&overdue=on")
    assert response.status_code == 200
    _check(response.content.decode())


def test_case_page_and_panel_fields_are_labelled(client, tenant_a, case_with_draft):
    client.force_login(tenant_a.agent)
    page = client.get(f"/dossiers/{case_with_draft.pk}/")
    panel = client.get(f"/brouillons/dossier/{case_with_draft.pk}/")
    assert page.status_code == panel.status_code == 200
    _check(page.content.decode())
    _check(panel.content.decode())
    assert "Use this reply" in panel.content.decode() or "Utiliser" in panel.content.decode()


def test_overdue_is_said_in_words_not_only_in_colour(client, tenant_a):
    import datetime as dt

    from django.utils import timezone

    make_case(tenant_a.administration, created_at=timezone.now() - dt.timedelta(days=60))
    client.force_login(tenant_a.agent)
    html = client.get("/dossiers/?box=queue").content.decode()
    assert "fr-badge--error" in html
    assert ("Overdue" in html) or ("En retard" in html)
