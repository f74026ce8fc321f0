"""The legal notice names the publisher, its address, the director of publication and the host
the operator set (GUICHET_LEGAL_*), in French, to anyone before signing in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_legal_notice_shows_the_operators_settings(settings):
    settings.LEGAL_PUBLISHER = "Caisse d'allocations familiales du Rhône"
    settings.LEGAL_PUBLISHER_ADDRESS = "67 boulevard Vivier-Merle, 69003 Lyon"
    settings.LEGAL_PUBLICATION_DIRECTOR = "Camille Martin"
    settings.LEGAL_HOST = "Hébergeur SAS, 1 rue de l'Exemple, 75000 Paris, 01 23 45 67 89"
    response = Client().get(reverse("pages:legal_notice"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Éditeur : Caisse d&#x27;allocations familiales du Rhône" in text
    assert "Adresse : 67 boulevard Vivier-Merle, 69003 Lyon" in text
    assert "Directeur ou directrice de la publication : Camille Martin" in text
    assert "Hébergeur : Hébergeur SAS, 1 rue de l&#x27;Exemple, 75000 Paris, 01 23 45 67 89" in text


def test_without_settings_the_legal_notice_speaks_in_general(settings):
    settings.LEGAL_PUBLISHER = settings.LEGAL_PUBLISHER_ADDRESS = ""
    settings.LEGAL_PUBLICATION_DIRECTOR = settings.LEGAL_HOST = ""
    text = Client().get(reverse("pages:legal_notice")).content.decode()
    assert 'id="legal-publisher"' not in text and 'id="legal-host"' not in text
    assert "Éditeur :" not in text and "Hébergeur :" not in text
    assert "Mentions légales" in text
