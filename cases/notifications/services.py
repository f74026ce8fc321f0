"""Every write of notifications.

``notify_for_event`` is called by the case journal's one write path for every event: a
notification is written in the same transaction as what it tells about, so it is never lost
and never tells about something that was rolled back. ``notify_for_events`` does it for many
events at once, with one query for the recipients' preferences and one INSERT.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Administration, Membership, User

from ..models import OPEN_STATUSES, Case, CaseEvent, Notification, NotificationPreference

logger = logging.getLogger(__name__)

# pg_try_advisory_lock's key for the digests' runs: hashtext('guichet-notification-digests').
DIGESTS_LOCK_KEY = -164_633_876

DUE_SOON = dt.timedelta(hours=24)
Kind = Notification.Kind
# The journal events that may notify someone (``_recipient``).
NOTIFYING_EVENTS = frozenset({CaseEvent.Kind.USAGER_MESSAGE, CaseEvent.Kind.ASSIGNED})


def _cases_of(events: Sequence[CaseEvent]) -> dict[int, Case]:
    """The events' cases: those already loaded, the others in one query."""
    cases = {event.case_id: event.case for event in events if CaseEvent.case.is_cached(event)}
    missing = {event.case_id for event in events} - set(cases)
    if missing:
        cases.update(
            Case.objects.only("pk", "administration_id", "assignee_id").in_bulk(list(missing))
        )
    return cases


def _recipient(event: CaseEvent, case: Case) -> tuple[int, str] | None:
    """Who ``event`` is told to, and as what: the usager answered a case that has an agent, or
    someone else assigned a case to an agent. Nobody is told what they did."""
    if event.kind == CaseEvent.Kind.USAGER_MESSAGE:
        if case.assignee_id is None or case.assignee_id == event.actor_id:
            return None
        data = event.data or {}
        # A message that went on to the case's transfer (cases/intake/mail.py), or that only
        # thanks (it leaves the case as it was): nothing for the agent to do.
        if data.get("forwarded") or data.get("courtesy"):
            return None
        return case.assignee_id, Kind.USAGER_ANSWERED
    if event.kind == CaseEvent.Kind.ASSIGNED:
        assignee_id = (event.data or {}).get("assignee_id")
        if not assignee_id or assignee_id == event.actor_id:
            return None
        return int(assignee_id), Kind.ASSIGNED
    return None


def notify_for_events(events: Sequence[CaseEvent]) -> list[Notification]:
    """The notifications ``events`` call for, written in one INSERT after one query for the
    recipients' preferences (an agent without preferences gets every kind)."""
    notifying = [event for event in events if event.kind in NOTIFYING_EVENTS]
    if not notifying:
        return []
    cases = _cases_of(notifying)
    wanted: list[tuple[Case, int, str]] = []
    for event in notifying:
        case = cases.get(event.case_id)
        recipient = _recipient(event, case) if case is not None else None
        if case is not None and recipient is not None:
            wanted.append((case, *recipient))
    if not wanted:
        return []
    preferences = NotificationPreference.objects.in_bulk(
        {user_id for _case, user_id, _kind in wanted}, field_name="user_id"
    )
    notifications = [
        Notification(
            user_id=user_id, administration_id=case.administration_id, case=case, kind=kind
        )
        for case, user_id, kind in wanted
        if user_id not in preferences or preferences[user_id].wants(kind)
    ]
    return Notification.objects.bulk_create(notifications) if notifications else []


def notify_for_event(event: CaseEvent) -> Notification | None:
    """The notification ``event`` calls for, if any (``notify_for_events`` for one event)."""
    created = notify_for_events([event])
    return created[0] if created else None


def notifications_mark_read(
    *, user: User, administration: Administration, ids: list[int] | None = None
) -> int:
    """Mark the user's unread notifications in ``administration`` as read (``ids``: only those)."""
    unread = Notification.objects.filter(
        user=user, administration=administration, read_at__isnull=True
    )
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notification_preference_update(*, user: User, **choices: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    for field, value in choices.items():
        setattr(preference, field, bool(value))
    preference.save()
    return preference


def notify_due_soon(*, now: dt.datetime | None = None) -> int:
    """Tell each agent once about each of their open cases due within 24 hours."""
    now = now or timezone.now()
    told = Notification.objects.filter(case=OuterRef("pk"), kind=Kind.DUE_SOON)
    refused = NotificationPreference.objects.filter(due_soon=False).values("user_id")
    cases = (
        Case.objects.filter(
            status__in=OPEN_STATUSES,
            assignee__isnull=False,
            due_at__gt=now,
            due_at__lte=now + DUE_SOON,
        )
        .exclude(assignee_id__in=refused)
        .filter(~Exists(told.filter(user_id=OuterRef("assignee_id"))))
        .only("pk", "administration_id", "assignee_id")
    )
    created = 0
    batch: list[Notification] = []
    for case in cases.iterator(chunk_size=2000):
        if case.assignee_id is None:  # filtered out above; says so to the type checker
            continue
        batch.append(
            Notification(
                user_id=case.assignee_id,
                administration_id=case.administration_id,
                case_id=case.pk,
                kind=Kind.DUE_SOON,
            )
        )
        if len(batch) >= 2000:
            created += len(Notification.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        created += len(Notification.objects.bulk_create(batch, ignore_conflicts=True))
    return created


@contextlib.contextmanager
def _digests_lock() -> Iterator[bool]:
    """Whether this run holds the digests' PostgreSQL advisory lock, held for the run: two
    runs at once (two workers, beat twice, a retry racing the next run) would mail the same
    digests twice, each reading them unmailed before the other marks them. A session lock,
    like beat's (config/beat.py), not a transaction: each agent's digest is marked mailed in a
    transaction of its own once sent, and the mail server is never called inside one. A run
    that dies lets go of it with its connection."""
    if connection.vendor != "postgresql":
        yield True  # development on SQLite: one process
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DIGESTS_LOCK_KEY])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            # A connection lost meanwhile took the lock with it.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [DIGESTS_LOCK_KEY])


def send_notification_digests(*, now: dt.datetime | None = None) -> int:
    """One e-mail per agent who asked for the daily summary, listing what they have not read
    and were not yet told by e-mail. A mail server failure leaves them for the next run. One
    run at a time: a run that starts while another is sending sends nothing (the other one
    sends everything that was due)."""
    with _digests_lock() as held:
        if not held:
            logger.info("notification digests: another run is sending them; this one stops")
            return 0
        return _send_notification_digests(now=now or timezone.now())


def _send_notification_digests(*, now: dt.datetime) -> int:
    pending = (
        Notification.objects.filter(
            read_at__isnull=True,
            mailed_at__isnull=True,
            user__notification_preference__daily_digest=True,
            user__is_active=True,
        )
        .filter(
            Exists(
                Membership.objects.filter(
                    user_id=OuterRef("user_id"),
                    administration_id=OuterRef("administration_id"),
                    is_active=True,
                )
            )
        )
        .select_related("user", "administration", "case")
        .order_by("user_id", "administration_id", "-created_at")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    sent = 0
    for notifications in by_user.values():
        user = notifications[0].user
        if not user.email:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "user": user,
                "notifications": notifications,
                "site_url": settings.SITE_URL.rstrip("/"),
            }
            subject = render_to_string("cases/notification_digest_subject.txt", context).strip()
            body = render_to_string("cases/notification_digest.txt", context)
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:  # the mail server: tried again at the next run
            logger.exception("notification digest for user %s not sent", user.pk)
            continue
        with transaction.atomic():
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(mailed_at=now)
        sent += 1
    return sent
