"""The usager's other cases on the case page (issue 16, item 6): same administration only,
matched on e-mail (any case) or phone, newest first, bounded."""

from __future__ import annotations

from django.urls import reverse

from cases.history import usager_other_cases
from tests.factories import make_case


def test_other_cases_match_on_email_or_phone_in_the_same_administration_only(tenant_a, tenant_b):
    case = make_case(
        tenant_a.administration, usager_email="Louise.Martin@example.org", usager_phone="0612345678"
    )
    by_mail = make_case(tenant_a.administration, usager_email="louise.martin@EXAMPLE.org")
    by_phone = make_case(tenant_a.administration, usager_phone="0612345678")
    make_case(tenant_a.administration, usager_email="someone.else@example.org")
    make_case(tenant_b.administration, usager_email="louise.martin@example.org")
    history = usager_other_cases(case)
    assert {c.pk for c in history.cases} == {by_mail.pk, by_phone.pk}
    assert history.total == 2


def test_a_case_without_contact_has_no_history(tenant_a):
    case = make_case(tenant_a.administration, usager_email="", usager_phone="")
    make_case(tenant_a.administration, usager_email="", usager_phone="")
    assert usager_other_cases(case).total == 0


def test_the_history_is_bounded_and_counts_the_rest(tenant_a):
    case = make_case(tenant_a.administration, usager_email="a@example.org")
    for _ in range(4):
        make_case(tenant_a.administration, usager_email="a@example.org")
    history = usager_other_cases(case, limit=3)
    assert len(history.cases) == 3 and history.total == 4 and history.more == 1


def test_the_case_page_lists_them(client, tenant_a, tenant_b):
    case = make_case(tenant_a.administration, usager_email="a@example.org")
    other = make_case(tenant_a.administration, usager_email="a@example.org", subject="Ma pension")
    elsewhere = make_case(tenant_b.administration, usager_email="a@example.org")
    client.force_login(tenant_a.agent)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert 'id="usager-history"' in page.text
    assert other.reference in page.text and "Ma pension" in page.text
    assert elsewhere.reference not in page.text
    assert "autre dossier de cet usager ici" in page.text


def test_the_section_reads_in_french_with_its_numbers(client, tenant_a):
    """The counts and dates are in the sentences, never a template variable left in them."""
    case = make_case(tenant_a.administration, usager_email="b@example.org")
    for _ in range(12):  # two more than the page lists (HISTORY_LIMIT)
        make_case(tenant_a.administration, usager_email="b@example.org")
    client.force_login(tenant_a.agent)
    html = client.get(reverse("cases:detail", args=[case.pk])).text
    section = html[html.index('id="usager-history"') :]
    section = section[: section.index("</section>")]
    assert "Les 12 autres dossiers de cet usager ici" in section
    assert "reçu le " in section and "received on" not in section
    assert "et 2 dossiers plus anciens" in section
    assert "{{" not in section and "%(" not in section
