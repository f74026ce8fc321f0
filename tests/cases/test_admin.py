"""The Django admin is one more door to the same write path: audited rows are read-only there,
and the settings it edits (topics, response deadlines, channel endpoints) go through the
settings services, journaled like on the settings page."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AuditEntry, User
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    ChannelEndpoint,
    Delivery,
    InboundEmail,
    IntakeDelivery,
    ResponseDeadline,
    SatisfactionResponse,
    Topic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser(email="national@example.gouv.fr", password="x")


@pytest.mark.parametrize(
    "model",
    [Case, CaseEvent, Delivery, IntakeDelivery, InboundEmail, Attachment, SatisfactionResponse],
)
def test_audited_models_are_read_only_in_the_admin(staff, model):
    request = RequestFactory().get("/")
    request.user = staff
    model_admin = site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def _actions(administration) -> list[str]:
    return list(
        AuditEntry.objects.filter(administration=administration)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_topics_edited_in_the_admin_are_journaled(office, client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:cases_topic_add"),
        {"administration": office.administration.pk, "name": "Cantine", "is_active": "on"},
    )
    assert response.status_code == 302, response.content
    topic = Topic.objects.get(administration=office.administration, name="Cantine")
    assert topic.slug == "cantine"
    response = client.post(
        reverse("admin:cases_topic_change", args=[topic.pk]), {"name": "Restauration scolaire"}
    )
    assert response.status_code == 302, response.content
    topic.refresh_from_db()
    assert (topic.name, topic.is_active) == ("Restauration scolaire", False)
    assert _actions(office.administration)[-2:] == [
        "settings.topic_created",
        "settings.topic_retired",
    ]


def test_deadlines_edited_in_the_admin_are_journaled(office, client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:cases_responsedeadline_add"),
        {"administration": office.administration.pk, "channel": Channel.PHONE, "days": "7"},
    )
    assert response.status_code == 302, response.content
    row = ResponseDeadline.objects.get(administration=office.administration)
    assert row.days == 7
    response = client.post(
        reverse("admin:cases_responsedeadline_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302, response.content
    assert not ResponseDeadline.objects.filter(administration=office.administration).exists()
    assert _actions(office.administration)[-2:] == [
        "settings.deadlines_changed",
        "settings.deadlines_changed",
    ]


def test_channel_endpoints_edited_in_the_admin_are_journaled_without_their_secret(
    office, client, staff
):
    client.force_login(staff)
    response = client.post(
        reverse("admin:cases_channelendpoint_add"),
        {
            "administration": office.administration.pk,
            "channel": Channel.SERVICES_PUBLICS_PLUS,
            "callback_url": "https://sp-plus.example.gouv.fr/replies",
            "signing_secret": "s3cr3t-value",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    assert ChannelEndpoint.objects.filter(administration=office.administration).count() == 1
    entry = AuditEntry.objects.filter(administration=office.administration).latest("pk")
    assert entry.action == "settings.channel_endpoint_saved"
    assert entry.data["secret_changed"] is True
    assert "s3cr3t-value" not in str(entry.data)
