"""The agent workspace through Django's test client: replying, and the agent's minute.

The reply composer (form errors, the confirmation step, stale pages), then the agent's
minute (issue 15): tenancy in the URL, the in-place (htmx) preview and send, sending twice,
Suivant (the next case of the box), the keyboard shortcuts and a draft discarded in place.

Every test signs in with ``force_login`` (the ``browser`` fixture of tests/cases/conftest.py)
and reads the HTML the agent would read. Pages are asked for in English (Accept-Language) so
that assertions on wording do not depend on the state of the French catalogue. One test
runs in French and asserts on structure only.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from cases import services as case_services
from cases.models import Case, Reply, Status
from cases.selectors import reply_skeleton
from tests.case_states import bring_to, row, snapshot
from tests.cases.workspace_pages import detail, drafted_case, flashed, inbox_url, text_of
from tests.factories import make_case

pytestmark = pytest.mark.django_db

AGENT_TEXT = "Madame, bonjour. Votre demande est bien prise en compte : nous revenons vers vous."


# --- helpers ---------------------------------------------------------------------------------


def textarea(response, element_id: str) -> str | None:
    match = re.search(
        rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>',
        response.content.decode(),
        flags=re.S,
    )
    return unescape(match.group(1)) if match else None


def composer(response) -> str:
    html = response.content.decode()
    assert 'id="composer"' in html, "no reply composer on the page"
    return html.split('id="composer"', 1)[1].split("</section>", 1)[0]


# --- replying --------------------------------------------------------------------------------


def _reply(client, case, **data):
    return client.post(reverse("cases:reply", args=[case.pk]), data)


def test_an_empty_reply_is_a_form_error_and_sends_nothing(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = _reply(browser(office.agent), case, body="  ", version=case.version)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="reply-body-error"' in html
    assert "Write the reply before sending it." in html
    assert snapshot(case) == before
    assert not Reply.objects.filter(case=case).exists()


@pytest.mark.parametrize("confirmed", ["", "on"])
def test_the_composers_starting_text_alone_is_refused_and_sends_nothing(office, browser, confirmed):
    """Greeting, closing and signature with nothing between them: refused at the preview, and
    at the confirmation if a stale page skips it. A reply that says something is kept."""
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    skeleton = reply_skeleton(case)
    client = browser(office.agent)
    for body in (skeleton, skeleton.replace("\n\n\n\n", "\n\n[2]\n\n"), f"Bonjour,\n\n{skeleton}"):
        response = _reply(client, case, body=body, version=case.version, confirmed=confirmed)
        assert response.status_code == 400, body
        assert "holds only the greeting, the closing and the signature" in response.content.decode()
    assert snapshot(case) == before
    assert not Reply.objects.filter(case=case).exists()
    said = skeleton.replace("\n\n\n\n", "\n\nVotre carte est prête en mairie.\n\n")
    response = _reply(client, case, body=said, version=case.version)
    assert response.status_code == 200 and "Votre carte est prête" in composer(response)


def test_the_preview_says_what_was_taken_off_and_what_is_still_masked(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    body = "Appelez l'ADIL au (téléphone masqué) [2]. Voir la fiche [3]."
    response = _reply(client, case, body=body, version=case.version)
    assert response.status_code == 200
    notices = re.findall(r"data-preview-notice><p>(.*?)</p>", unescape(response.content.decode()))
    assert len(notices) == 2
    assert "references in square brackets" in notices[0]
    assert "masked detail" in notices[1]
    plain = _reply(client, case, body=AGENT_TEXT, version=case.version)
    assert "data-preview-notice" not in plain.content.decode()


def test_a_signature_typed_on_several_lines_is_still_recognised(office, browser):
    """A signature saved from the settings form is stored with CR LF; the composer posts LF or
    CR LF: the starting text alone is refused all the same."""
    administration = office.administration
    administration.signature = "Service des prestations\r\n12 rue Vauban\r\n69006 Lyon"
    administration.save()
    case = bring_to(Status.IN_PROGRESS, office)
    skeleton = reply_skeleton(case).replace("\r\n", "\n")
    client = browser(office.agent)
    for body in (skeleton, skeleton.replace("\n", "\r\n")):
        response = _reply(client, case, body=body, version=case.version)
        assert response.status_code == 400
    assert not Reply.objects.filter(case=case).exists()


def test_the_api_refuses_a_reply_of_courtesy_only_on_its_body_field(office):
    case = bring_to(Status.IN_PROGRESS, office)
    with pytest.raises(ValidationError) as refused:
        case_services.case_send_reply(actor=office.agent, case=case, body=reply_skeleton(case))
    assert "body" in refused.value.message_dict
    assert not Reply.objects.filter(case=case).exists()


def test_an_empty_reply_in_french_is_a_form_error_too(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    response = _reply(browser(office.agent, language="fr"), case, body="", version=case.version)
    assert response.status_code == 400
    assert 'id="reply-body-error"' in response.content.decode()
    assert not Reply.objects.filter(case=case).exists()


def test_the_first_post_shows_the_reply_to_confirm_and_sends_nothing(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = _reply(browser(office.agent), case, body=AGENT_TEXT, version=case.version)
    assert response.status_code == 200
    html = response.content.decode()
    preview = re.search(r'<div[^>]*id="reply-preview"[^>]*>(.*?)</div>', html, re.S)
    assert preview and text_of(preview.group(1)) == AGENT_TEXT
    assert 'id="confirm-send"' in html and 'id="back-to-editing"' in html
    assert '<input type="hidden" name="confirmed" value="on">' in html
    assert textarea(response, "id_body_reply") == AGENT_TEXT
    assert snapshot(case) == before


def test_the_confirmed_post_sends_the_reply_and_answers_the_case(
    office, browser, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    _reply(client, case, body=AGENT_TEXT, version=case.version)
    with django_capture_on_commit_callbacks(execute=True):
        response = _reply(client, case, body=AGENT_TEXT, version=case.version, confirmed="on")
    assert response.status_code == 302
    assert response["Location"] == f"{detail(case)}?envoye=1"
    reply = Reply.objects.get(case=case)
    assert reply.body == AGENT_TEXT and reply.author_id == office.agent.pk
    stored = row(case)
    assert stored["status"] == Status.ANSWERED
    assert stored["answered_at"] is not None
    assert flashed(response) == ["Reply sent to the usager. The case is answered."]


def test_back_to_editing_keeps_the_text_and_sends_nothing(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = _reply(
        browser(office.agent), case, body=AGENT_TEXT, version=case.version, confirmed="on", edit="1"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert textarea(response, "id_body_reply") == AGENT_TEXT
    assert 'id="reply-preview"' not in html
    assert 'id="preview-send"' in html and 'id="confirm-send"' not in html
    assert 'name="confirmed"' not in html
    assert snapshot(case) == before


@pytest.mark.parametrize("confirmed", ["", "on"])
def test_a_reply_on_a_case_changed_meanwhile_is_not_sent_and_the_text_is_kept(
    office, browser, confirmed
):
    case = bring_to(Status.IN_PROGRESS, office)
    opened_version = case.version
    # The manager puts the case on hold while the agent writes.
    case_services.case_transition(actor=office.manager, case=case, action="await_usager")
    before = snapshot(case)
    response = _reply(
        browser(office.agent), case, body=AGENT_TEXT, version=opened_version, confirmed=confirmed
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="reply-errors"' in html
    assert textarea(response, "id_body_reply") == AGENT_TEXT
    # The form now carries the current version and is not a confirmation.
    assert f'name="version" value="{row(case)["version"]}"' in composer(response)
    assert f'value="{opened_version}"' not in composer(response)
    assert 'name="confirmed"' not in composer(response)
    assert snapshot(case) == before
    assert not Reply.objects.filter(case=case).exists()


def test_a_stale_reply_after_reassignment_still_shows_the_text_and_why(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    opened_version = case.version
    case_services.case_assign(actor=office.manager, case=case, assignee=office.agent2)
    response = _reply(browser(office.agent), case, body=AGENT_TEXT, version=opened_version)
    assert response.status_code == 409
    assert not Reply.objects.filter(case=case).exists()
    assert AGENT_TEXT in unescape(response.content.decode())


# --- the agent's minute (issue 15): tenancy in the URL, in-place preview, Suivant -------------


def _select_current(html: str) -> str:
    """The administration selected in the header's switcher."""
    switcher = html.split('id="administration-switcher"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option value="(\d+)" selected>', switcher).group(1)


def test_a_case_of_another_of_my_administrations_opens_with_the_header_switched_and_says_so(
    office, elsewhere, browser
):
    from accounts.services import membership_create

    agent = office.agent
    membership_create(user=agent, administration=elsewhere, role=Role.AGENT)
    client = browser(agent)
    assert _select_current(client.get(reverse("cases:inbox")).content.decode()) == str(
        office.administration.pk
    )
    case = make_case(elsewhere, subject="Une question de l'autre administration")
    response = client.get(detail(case))
    assert response.status_code == 200
    html = response.content.decode()
    # The header of this very page names the case's administration, not the previous one...
    assert _select_current(html) == str(elsewhere.pk)
    # ...and the page says the switch happened.
    said = f"This case belongs to {elsewhere.name}: you are now working in {elsewhere.name}"
    assert escape(said) in html
    # The session follows: the inbox is now the case's administration's.
    assert _select_current(client.get(reverse("cases:inbox")).content.decode()) == str(elsewhere.pk)
    # A case of the administration one works in says nothing.
    again = client.get(detail(case)).content.decode()
    assert "you are now working in" not in again


def test_switching_administration_on_a_case_page_lands_home_in_the_new_one(
    office, elsewhere, browser
):
    """The case belongs to the administration just left: going back to it would switch back at
    once. A page without an object (the inbox) is kept."""
    from accounts.services import membership_create

    membership_create(user=office.agent, administration=elsewhere, role=Role.AGENT)
    client = browser(office.agent)
    case = make_case(office.administration)
    switch = reverse("accounts:switch_administration")
    response = client.post(switch, {"administration": elsewhere.pk, "next": detail(case)})
    assert response.status_code == 302 and response["Location"] != detail(case)
    home = client.get(response["Location"], follow=True).content.decode()
    assert _select_current(home) == str(elsewhere.pk)
    assert "you are now working in" not in home
    inbox = f"{reverse('cases:inbox')}?box=queue"
    response = client.post(switch, {"administration": office.administration.pk, "next": inbox})
    assert response["Location"] == inbox


def test_a_case_of_an_administration_i_do_not_belong_to_is_404_and_switches_nothing(
    office, elsewhere, browser
):
    client = browser(office.agent)
    case = make_case(elsewhere)
    assert client.get(detail(case)).status_code == 404
    assert client.session.get("current_administration_id") in (None, office.administration.pk)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert escape(office.administration.name) in html


def _htmx(client: Client, case: Case, **data) -> object:
    return client.post(reverse("cases:reply", args=[case.pk]), data, headers={"HX-Request": "true"})


def test_htmx_preview_answers_the_composer_alone_with_the_focus_on_confirm(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    response = _htmx(browser(office.agent), case, body=AGENT_TEXT, version=case.version)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<section") and "<html" not in html
    assert 'id="reply-preview"' in html
    confirm = re.search(r'<button[^>]*id="confirm-send"[^>]*>', html).group(0)
    assert "autofocus" in confirm and 'data-shortcut="send"' in confirm


def test_htmx_reply_over_the_length_limit_comes_back_in_place_with_the_error(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    response = _htmx(browser(office.agent), case, body="x" * 50_001, version=case.version)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and 'id="reply-body-error"' in html
    assert re.search(r'<textarea[^>]*id="id_body_reply"[^>]*autofocus', html)
    assert not Reply.objects.filter(case=case).exists()


def test_htmx_send_redirects_the_page_to_the_case_with_next_focused(
    office, browser, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _htmx(client, case, body=AGENT_TEXT, version=case.version, confirmed="on")
    assert response["HX-Redirect"] == f"{detail(case)}?envoye=1"
    assert Reply.objects.filter(case=case).count() == 1
    html = client.get(f"{detail(case)}?envoye=1").content.decode()
    following = re.search(r'<a[^>]*id="next-case"[^>]*>', html).group(0)
    assert "autofocus" in following


@pytest.mark.parametrize("htmx", [False, True])
def test_back_after_sending_then_confirm_says_it_was_sent_and_sends_nothing_twice(
    office, browser, django_capture_on_commit_callbacks, htmx
):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    version = case.version
    text = f"{AGENT_TEXT}\n\nCordialement,\nL'équipe"
    with django_capture_on_commit_callbacks(execute=True):
        _reply(client, case, body=text, version=version, confirmed="on")
    # Back to the preview (the browser's copy, the old version), then Confirm again; the
    # browser sends the text with CRLF line ends.
    again = dict(body=text.replace("\n", "\r\n"), version=version, confirmed="on")
    if htmx:
        response = _htmx(client, case, **again)
        assert response["HX-Redirect"] == f"{detail(case)}?envoye=1"
    else:
        response = _reply(client, case, **again)
        assert response.status_code == 302
        assert response["Location"] == f"{detail(case)}?envoye=1"
    assert Reply.objects.filter(case=case).count() == 1
    said = flashed(response)[-1]
    assert said.startswith("This reply was already sent on ") and "not sent again" in said


def test_a_different_text_on_a_case_answered_meanwhile_is_still_refused(office, browser):
    case = bring_to(Status.IN_PROGRESS, office)
    client = browser(office.agent)
    version = case.version
    _reply(client, case, body=AGENT_TEXT, version=version, confirmed="on")
    response = _reply(client, case, body="Un autre texte.", version=version, confirmed="on")
    assert response.status_code == 409
    assert Reply.objects.filter(case=case).count() == 1


def test_next_opens_the_next_case_of_the_box_the_agent_came_from(office, browser):
    now = timezone.now()
    first, second, third = (
        make_case(office.administration, created_at=now - dt.timedelta(days=days))
        for days in (3, 2, 1)
    )
    mine = case_services.case_take(actor=office.agent, case=make_case(office.administration))
    client = browser(office.agent)
    nxt = reverse("cases:next")
    client.get(inbox_url(box="queue"))
    assert client.get(nxt)["Location"] == detail(first)
    assert client.get(f"{nxt}?depuis={first.pk}")["Location"] == detail(second)
    assert client.get(f"{nxt}?depuis={second.pk}")["Location"] == detail(third)
    # At the end of the box, back to its first case (one not opened yet stays in it).
    assert client.get(f"{nxt}?depuis={third.pk}")["Location"] == detail(first)
    # From "mine", the next case is mine.
    client.get(inbox_url(box="mine"))
    assert client.get(nxt)["Location"] == detail(mine)


def test_next_of_an_empty_box_goes_back_to_the_box_and_says_so(office, browser):
    client = browser(office.agent)
    client.get(inbox_url(box="queue"))
    response = client.get(reverse("cases:next"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('cases:inbox')}?box=queue"
    assert flashed(response) == ["No other case in this box."]


def test_the_pages_document_their_shortcuts(office, browser):
    case = make_case(office.administration)
    client = browser(office.agent)
    for html in (
        client.get(reverse("cases:inbox")).content.decode(),
        client.get(detail(case)).content.decode(),
    ):
        assert 'id="shortcuts-modal"' in html and 'aria-controls="shortcuts-modal"' in html
        assert "js/workspace.js" in html
        assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    take = re.search(r'<button[^>]*id="take-case"[^>]*>', html).group(0)
    assert 'data-shortcut="take"' in take


def test_discarding_a_draft_without_a_reason_answers_the_panel_with_a_visible_error(
    office, browser, django_capture_on_commit_callbacks
):
    _case, suggestion = drafted_case(office, django_capture_on_commit_callbacks)
    response = browser(office.agent).post(
        reverse("drafting:discard", args=[suggestion.pk]),
        {"reason": "", "comment": ""},
        headers={"HX-Request": "true"},
    )
    # 400, and the body is the panel to swap in (static/js/workspace.js swaps 400 and 409).
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="suggestion-panel"' in html and "<html" not in html
    assert re.search(r'<details[^>]*id="discard-details"[^>]*open', html)
    assert re.search(r'<p class="fr-error-text" id="discard-reason-error" role="alert">', html)
    assert re.search(r'<select[^>]*id="id_discard_reason"[^>]*autofocus', html)
    suggestion.refresh_from_db()
    assert suggestion.decision == ""
