"""Error pages read in the user's language, in the State's design, and lead back home: never
Django's bare English "Not Found" or "Server Error (500)"."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.utils import translation

from config.api import server_error_response
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def _refused(request):
    raise PermissionDenied


def _form(request):
    return HttpResponse("<form method=post></form>")


urlpatterns = [path("refused/", _refused), path("form/", _form)]


def test_an_unknown_page_is_said_in_french_with_a_way_home(client):
    response = client.get("/cette-page-n-existe-pas/", HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in page and "Erreur 404" in page
    assert 'href="/"' in page and "dsfr" in page
    assert "Not Found" not in page


def test_an_unknown_page_reads_english_to_an_english_browser(client):
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in page and '<html lang="en"' in page


def test_a_case_of_another_administration_is_the_same_french_page(tenant_a, tenant_b):
    theirs = make_case(tenant_b.administration)
    client = Client()
    client.force_login(tenant_a.agent)
    response = client.get(f"/dossiers/{theirs.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_refused_action_says_whom_to_ask(client):
    response = client.get("/refused/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert "administrateur" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_an_expired_form_says_what_to_do_and_that_nothing_was_recorded():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/form/", {"x": "1"}, HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Le formulaire a expiré" in page and "Rien n'a été enregistré" in page
    assert "CSRF" not in page


def test_a_server_error_page_needs_no_request_context_and_is_french():
    request = RequestFactory().get("/dossiers/")
    with translation.override("fr"):
        response = server_error_response(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "Erreur inattendue" in page and "Erreur 500" in page
    assert "Server Error" not in page
