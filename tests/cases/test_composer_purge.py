"""Reply attachments uploaded for a preview and never sent are purged on a schedule (beat:
``cases.composer.purge_pending_attachments``), not only by a later preview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases.composer.tasks import purge_pending_attachments
from cases.models import Attachment, Status
from cases.services.reply_attachments import (
    UploadedFile,
    reply_attachments_prepare,
    reply_files_check,
    reply_files_store,
)
from tests.case_states import bring_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _preview(case, agent, *names):
    _token, rows = reply_attachments_prepare(
        case=case,
        actor=agent,
        token="",
        keep=set(),
        files=[UploadedFile(name=name, content=PDF) for name in names],
    )
    return rows


def test_pending_attachments_past_a_day_are_purged_with_their_files(
    office, media, django_capture_on_commit_callbacks
):
    case = bring_to(Status.IN_PROGRESS, office)
    left = _preview(case, office.agent, "left.pdf", "forgotten.pdf")  # the composer was left
    recent = _preview(case, office.agent, "recent.pdf")  # an agent still writing
    # A file that is not pending (the usager's, or one sent with a reply) is never purged.
    kept = reply_files_store(
        case=case,
        actor=office.agent,
        files=reply_files_check(
            [UploadedFile(name="usager.pdf", content=PDF)], case=case, actor=office.agent
        ),
    )
    long_ago = timezone.now() - dt.timedelta(hours=25)
    Attachment.objects.filter(pk__in=[row.pk for row in left + kept]).update(created_at=long_ago)
    Attachment.objects.filter(pk__in=[row.pk for row in recent]).update(
        created_at=timezone.now() - dt.timedelta(hours=23)
    )
    left_files = [media / row.file.name for row in left]
    assert all(path.exists() for path in left_files)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_pending_attachments.apply().get() == 2

    remaining = set(Attachment.objects.values_list("original_name", flat=True))
    assert remaining == {"recent.pdf", "usager.pdf"}
    assert not any(path.exists() for path in left_files)
    assert all((media / row.file.name).exists() for row in recent + kept)
    # Nothing more to purge: the next run deletes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_pending_attachments.apply().get() == 0
