"""Intake and delivery under concurrency: real transactions, several threads.

Apart from the other intake tests because those share a module-wide transaction
(tests/cases/conftest.py), which threads cannot see into.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from cases.models import Case
from tests.case_states import make_office
from tests.cases.test_intake_api import FRANCE_SERVICES, URLS, post

# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_with_the_same_key_make_one_case():
    office = make_office("France Services de Guéret", "FSGUE")
    _token, key = api_token_create(
        actor=office.administrator,
        administration=office.administration,
        name="Plateforme",
        scope="intake",
    )
    barrier = threading.Barrier(4)
    results = []

    def deliver():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        barrier.wait()
        try:
            results.append(post(client, URLS["france_services"], FRANCE_SERVICES, key="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 200, 200, 201], [r.content for r in results]
    assert len({r.json()["reference"] for r in results}) == 1
    assert Case.objects.filter(administration=office.administration).count() == 1
