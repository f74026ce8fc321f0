"""National topics read in the page's language; an administration's own topics as written.

The national taxonomy is stored in French (``Topic.name``); its label is an English msgid
whose French translation is that same name, so that an English page does not show French
headings in its inbox, filters, case page and reports.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import translation

from cases.models import Topic
from cases.models.topics import NATIONAL_TOPICS
from tests.cases.workspace_pages import detail, inbox_url, text_of
from tests.factories import make_case, make_topic

pytestmark = pytest.mark.django_db


def test_every_national_label_is_the_stored_name_in_french_and_english_otherwise():
    for _slug, name, label in NATIONAL_TOPICS:
        with translation.override("fr"):
            assert str(label) == name
        with translation.override("en"):
            assert str(label) != name


def test_the_national_rows_are_the_labelled_list():
    stored = dict(Topic.objects.filter(administration=None).values_list("slug", "name"))
    assert stored == {slug: name for slug, name, _label in NATIONAL_TOPICS}


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("en", "Housing and housing benefits", "Logement et aides au logement"),
        ("fr", "Logement et aides au logement", "Housing and housing benefits"),
    ],
)
def test_inbox_filter_and_case_page_show_the_national_topic_in_the_page_s_language(
    office, browser, language, shown, hidden
):
    housing = Topic.objects.get(administration=None, slug="logement")
    case = make_case(office.administration, topic=housing)
    client = browser(office.manager, language)

    inbox = client.get(inbox_url(box="all")).content.decode()
    assert f'<option value="{housing.pk}">{shown}</option>' in inbox
    assert shown in text_of(inbox.split("<tbody", 1)[1])
    assert hidden not in text_of(inbox)

    page = text_of(client.get(detail(case)).content.decode())
    assert shown in page
    assert hidden not in page


def test_an_administration_s_own_topic_reads_as_written_in_english(office, browser):
    own = make_topic(office.administration, name="Prime de Noël")
    case = make_case(office.administration, topic=own)
    page = text_of(browser(office.manager, "en").get(detail(case)).content.decode())
    assert "Prime de Noël" in page


def test_the_topic_filter_lists_topics_in_the_alphabetical_order_of_the_page_s_language(
    office, browser
):
    make_topic(office.administration, name="Élections")
    for language in ("en", "fr"):
        inbox = browser(office.manager, language).get(inbox_url()).content.decode()
        select = inbox.split('name="topic"', 1)[1].split("</select>", 1)[0]
        shown = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
        assert len(shown) == len(NATIONAL_TOPICS) + 1
        bare = [unescape(s).replace("É", "E").casefold() for s in shown]
        assert bare == sorted(bare), language
    # The last language checked is French: an accented name sorts with its letter.
    assert shown.index("Élections") < shown.index("Emploi et chômage")


def test_the_draft_s_number_is_said_in_the_page_s_language():
    from django.template import Context, Template

    template = Template(
        "{% load i18n %}{% blocktranslate with number=3 %}draft no. {{ number }}"
        "{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert template.render(Context()) == "draft no. 3"
    with translation.override("fr"):
        assert template.render(Context()) == "brouillon n°\u00a03"


def test_the_model_answer_form_lists_topics_in_the_page_s_language_and_order(office, browser):
    for language in ("en", "fr"):
        page = browser(office.manager, language).get("/brouillons/reponses-types/nouvelle/")
        assert page.status_code == 200
        select = page.content.decode().split('name="topic"', 1)[1].split("</select>", 1)[0]
        shown = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
        assert len(shown) == len(NATIONAL_TOPICS)
        bare = [unescape(s).replace("É", "E").casefold() for s in shown]
        assert bare == sorted(bare), language
        assert ("Retirement" in shown) == (language == "en")
