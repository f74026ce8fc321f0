"""Agents' notifications (issue 16, item 7): written with the event they tell about, shown only
to their agent in their administration, chosen in the profile, and mailed as a daily digest."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Notification, Status
from cases.notifications import services as notifications
from cases.notifications.services import notification_preference_update
from tests.factories import make_case

Kind = Notification.Kind


def _assigned_case(tenant, to=None):
    case = make_case(tenant.administration)
    return services.case_assign(actor=tenant.manager, case=case, assignee=to or tenant.agent)


def test_an_assignment_by_someone_else_notifies_the_agent(tenant_a):
    case = _assigned_case(tenant_a)
    notification = Notification.objects.get(user=tenant_a.agent)
    assert (notification.kind, notification.case_id) == (Kind.ASSIGNED, case.pk)
    assert notification.administration_id == tenant_a.administration.pk


def test_taking_a_case_oneself_notifies_nobody(tenant_a):
    case = make_case(tenant_a.administration)
    services.case_take(actor=tenant_a.agent, case=case)
    assert not Notification.objects.exists()


def test_the_usager_answering_notifies_the_cases_agent_unless_they_chose_not(tenant_a):
    case = _assigned_case(tenant_a)
    Notification.objects.all().delete()
    services.case_add_usager_message(case=case, body="Voici le document demandé.", source="email")
    assert list(Notification.objects.values_list("user_id", "kind")) == [
        (tenant_a.agent.pk, Kind.USAGER_ANSWERED)
    ]
    notification_preference_update(user=tenant_a.agent, usager_answered=False)
    services.case_add_usager_message(case=case, body="Et une autre pièce.", source="email")
    assert Notification.objects.count() == 1


def test_a_message_on_an_unassigned_case_notifies_nobody(tenant_a):
    case = make_case(tenant_a.administration)
    services.case_add_usager_message(case=case, body="Une précision.", source="email")
    assert not Notification.objects.exists()


def test_due_soon_is_said_once_per_case_and_only_for_open_assigned_cases(tenant_a):
    now = timezone.now()
    soon = _assigned_case(tenant_a)
    later = _assigned_case(tenant_a)
    unassigned = make_case(tenant_a.administration)
    Case.objects.filter(pk__in=[soon.pk, unassigned.pk]).update(due_at=now + dt.timedelta(hours=5))
    Case.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(hours=30))
    closed = _assigned_case(tenant_a)
    Case.objects.filter(pk=closed.pk).update(
        due_at=now + dt.timedelta(hours=2), status=Status.CLOSED
    )
    Notification.objects.all().delete()
    assert notifications.notify_due_soon(now=now) == 1
    assert notifications.notify_due_soon(now=now) == 0
    due = Notification.objects.get(kind=Kind.DUE_SOON)
    assert (due.user_id, due.case_id) == (tenant_a.agent.pk, soon.pk)
    # Later, the other case enters the window: told then, once.
    assert notifications.notify_due_soon(now=now + dt.timedelta(hours=7)) == 1
    assert Notification.objects.filter(kind=Kind.DUE_SOON).count() == 2


def test_the_page_shows_only_the_users_own_notifications_here(client, tenant_a, tenant_b):
    case = _assigned_case(tenant_a)
    _assigned_case(tenant_a, to=tenant_a.agent2)
    _assigned_case(tenant_b)
    client.force_login(tenant_a.agent)
    page = client.get(reverse("cases:notifications"))
    assert page.status_code == 200
    assert page.context["unread_notifications"] == 1
    listed = page.context["notifications"]
    assert [n.case_id for n in listed] == [case.pk]
    assert "Un dossier vous a été attribué" in page.text


def test_the_page_dates_notifications_day_first_in_english_too(client, tenant_a):
    """Day/month/year, like every other date of the app, whatever the language: 12 July is
    not shown as 07/12."""
    _assigned_case(tenant_a)
    when = timezone.make_aware(dt.datetime(2026, 7, 12, 8, 55))
    Notification.objects.filter(user=tenant_a.agent).update(created_at=when)
    client.force_login(tenant_a.agent)
    for language in ("en", "fr"):
        page = client.get(reverse("cases:notifications"), headers={"accept-language": language})
        assert "12/07/2026 08:55" in page.text, language
        assert "07/12/2026" not in page.text


def test_opening_marks_read_and_goes_to_the_case_and_others_are_404(client, tenant_a):
    _assigned_case(tenant_a)
    _assigned_case(tenant_a, to=tenant_a.agent2)
    mine = Notification.objects.get(user=tenant_a.agent)
    theirs = Notification.objects.get(user=tenant_a.agent2)
    client.force_login(tenant_a.agent)
    response = client.post(reverse("cases:notification_open", args=[mine.pk]))
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[mine.case_id])
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(reverse("cases:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("cases:notification_open", args=[mine.pk])).status_code == 405


def test_mark_all_read(client, tenant_a):
    _assigned_case(tenant_a)
    _assigned_case(tenant_a)
    client.force_login(tenant_a.agent)
    client.post(reverse("cases:notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_are_saved_from_the_profile_page(client, tenant_a):
    client.force_login(tenant_a.agent)
    url = reverse("cases:notification_preferences")
    page = client.get(url)
    assert page.status_code == 200 and "Me prévenir dans Guichet quand" in page.text
    client.post(url, {"usager_answered": "on", "daily_digest": "on"})
    preference = tenant_a.agent.notification_preference
    assert preference.usager_answered and preference.daily_digest
    assert not preference.assigned and not preference.due_soon
    _assigned_case(tenant_a)
    assert not Notification.objects.filter(user=tenant_a.agent).exists()


def test_the_daily_digest_mails_unread_notifications_once(tenant_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification_preference_update(user=tenant_a.agent, daily_digest=True)
    case = _assigned_case(tenant_a)
    _assigned_case(tenant_a, to=tenant_a.agent2)  # agent2 did not ask for the digest
    assert notifications.send_notification_digests() == 1
    (message,) = mail.outbox
    assert message.to == [tenant_a.agent.email]
    assert case.reference in message.body
    assert f"/dossiers/{case.pk}/" in message.body
    # In French, with the number and the name in the sentences.
    assert message.subject == "Guichet : 1 notification à lire"
    assert message.body.startswith(f"Bonjour {tenant_a.agent.display_name},")
    assert notifications.send_notification_digests() == 0
    assert len(mail.outbox) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_mail_server_down_leaves_the_digest_for_the_next_run(tenant_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_TIMEOUT = 2
    notification_preference_update(user=tenant_a.agent, daily_digest=True)
    _assigned_case(tenant_a)
    assert notifications.send_notification_digests() == 0
    assert Notification.objects.get(user=tenant_a.agent).mailed_at is None


def test_the_header_counts_unread_notifications_and_the_profile_links_the_choices(client, tenant_a):
    _assigned_case(tenant_a)
    _assigned_case(tenant_a)
    client.force_login(tenant_a.agent)
    home = client.get(reverse("cases:inbox"))
    assert 'id="notifications-count">2<' in home.text
    profile = client.get(reverse("accounts:profile"))
    assert reverse("cases:notification_preferences") in profile.text


def test_notifying_many_events_asks_the_preferences_once(tenant_a, django_assert_num_queries):
    """A batch of journal events: one query for the recipients' preferences, one INSERT, each
    recipient's choice applied (agent2 chose not to hear of assignments)."""
    agents = [tenant_a.agent, tenant_a.agent2]
    notification_preference_update(user=tenant_a.agent2, assigned=False)
    events = []
    for n in range(6):
        case = make_case(tenant_a.administration)
        Case.objects.filter(pk=case.pk).update(assignee=agents[n % 2])
        case = Case.objects.get(pk=case.pk)
        events.append(
            CaseEvent.objects.create(
                case=case,
                actor=tenant_a.manager,
                kind=CaseEvent.Kind.ASSIGNED,
                data={"assignee_id": agents[n % 2].pk},
            )
        )
        events.append(
            CaseEvent.objects.create(case=case, actor=None, kind=CaseEvent.Kind.USAGER_MESSAGE)
        )
    events.append(  # the manager took it themselves: nobody is told
        CaseEvent.objects.create(
            case=case,
            actor=tenant_a.manager,
            kind=CaseEvent.Kind.ASSIGNED,
            data={"assignee_id": tenant_a.manager.pk},
        )
    )
    Notification.objects.all().delete()
    with django_assert_num_queries(2):
        created = notifications.notify_for_events(events)
    told = sorted(Notification.objects.values_list("user_id", "kind"))
    assert len(created) == len(told) == 9
    assert told == sorted(
        [(tenant_a.agent.pk, Kind.ASSIGNED)] * 3
        + [(tenant_a.agent.pk, Kind.USAGER_ANSWERED)] * 3
        + [(tenant_a.agent2.pk, Kind.USAGER_ANSWERED)] * 3
    )
    # Events whose case is not loaded: their cases come in one more query, whatever their number.
    Notification.objects.all().delete()
    by_id = list(CaseEvent.objects.filter(pk__in=[e.pk for e in events]))
    with django_assert_num_queries(3):
        assert len(notifications.notify_for_events(by_id)) == 9
    # One event alone: its preferences and its INSERT, as before.
    with django_assert_num_queries(2):
        assert notifications.notify_for_event(events[1]).user_id == tenant_a.agent.pk
