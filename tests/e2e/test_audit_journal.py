"""An administrator reads, filters and exports the audit journal in the browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts import services
from accounts.models import Membership, Role
from tests.e2e.conftest import screenshot, sign_in
from tests.french_csv import french_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_administrator_filters_and_exports_the_journal(page, tenants):
    tenant = tenants[0]
    admin = tenant.administrator
    membership = Membership.objects.get(user=tenant.agent2, administration=tenant.administration)
    services.membership_change_role(membership=membership, role=Role.MANAGER, actor=admin)
    services.membership_set_active(membership=membership, active=False, actor=admin)
    services.audit_record(
        administration=tenants[1].administration,
        actor=tenants[1].administrator,
        category="settings",
        action="settings.texts_changed",
        target_label="Autre administration",
    )

    sign_in(page, admin.email)
    page.locator("#nav-administration").click()
    page.locator("#tile-audit a").click()
    page.wait_for_url("**/compte/journal/")
    table = page.locator("#audit-table")
    assert "Rôle modifié" in table.inner_text()
    assert "Autre administration" not in table.inner_text()

    page.locator("#id_action").select_option("membership.role_changed")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**action=membership.role_changed**")
    rows = table.locator("tbody tr")
    assert rows.count() == 1
    assert "Agent → Responsable" in rows.first.inner_text()
    screenshot(page, "audit-journal.png")

    with page.expect_download() as download_info:
        page.locator("#audit-export").click()
    download = download_info.value
    lines = french_rows(Path(download.path()).read_bytes())
    assert lines[0][0] == "Date" and len(lines) == 2
    assert lines[1][3] == "Rôle modifié" and lines[1][4] == "membership.role_changed"
