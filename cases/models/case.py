"""A case, its journal (append-only), its internal notes and its replies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

from .choices import OPEN_STATUSES, Channel, Priority, Status
from .topics import Topic


class ReferenceCounter(models.Model):
    """Last case number given per administration and year (references never repeat)."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "year"], name="refcounter_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.year} · {self.last}"


class CaseTally(models.Model):
    """How many cases an administration holds, kept by the database itself: triggers on
    ``cases_case`` add and subtract in the transaction that inserts, deletes or moves a case
    (migration 0007). The inbox's "all" tab reads this one row instead of counting the
    administration's history (docs/design.md, "Inbox counts")."""

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    total = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.total}"


class Case(models.Model):
    administration = models.ForeignKey(
        Administration,
        verbose_name=_("administration"),
        on_delete=models.PROTECT,
        related_name="cases",
        # Every composite index below starts with the administration: a lone one is dead weight.
        db_index=False,
    )
    reference = models.CharField(_("reference"), max_length=40)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("usager's message"))
    usager_name = models.CharField(_("usager's name"), max_length=200, blank=True)
    usager_email = models.EmailField(_("usager's e-mail"), blank=True)
    usager_phone = models.CharField(_("usager's phone"), max_length=40, blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    due_at = models.DateTimeField(_("due"))
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("transferred from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )
    # Bumped by every service that changes the case: a stale form is refused, not applied.
    version = models.PositiveIntegerField(default=1)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("first opened by its agent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set when the retention task (or an erasure request) removed the usager's data: the case
    # keeps its statistics facts only (cases/retention/).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "reference"], name="case_reference_unique"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_status_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="case_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(assignee__isnull=False)
                | Q(status__in=[Status.NEW, Status.CLOSED, Status.TRANSFERRED]),
                name="case_working_status_has_assignee",
            ),
        ]
        indexes = [
            # Inbox: "my cases" and "the queue", ordered by due date (keyset on due_at, id).
            models.Index(
                fields=["administration", "assignee", "status", "due_at", "id"],
                name="case_inbox_idx",
            ),
            models.Index(
                fields=["administration", "status", "due_at", "id"], name="case_queue_idx"
            ),
            # The queue alone (new and unassigned), in its order: a page is a bounded read of
            # this small index whatever the history.
            models.Index(
                fields=["administration", "due_at", "id"],
                condition=Q(status="new", assignee__isnull=True),
                name="case_queue_open_idx",
            ),
            models.Index(fields=["administration", "due_at", "id"], name="case_due_idx"),
            # Retention: the closed cases not yet anonymised, oldest closure first.
            models.Index(
                fields=["administration", "closed_at", "id"],
                condition=Q(status__in=["closed", "transferred"], anonymised_at__isnull=True),
                name="case_retention_idx",
            ),
            models.Index(fields=["administration", "created_at"], name="case_created_idx"),
            # The usager's other cases (cases/history.py): by e-mail, any case, or by phone.
            models.Index(
                "administration",
                Lower("usager_email"),
                name="case_usager_email_idx",
                condition=~Q(usager_email=""),
            ),
            models.Index(
                fields=["administration", "usager_phone"],
                name="case_usager_phone_idx",
                condition=~Q(usager_phone=""),
            ),
            # Dashboards: cases answered within a period, and their times per channel and
            # topic, read from the index alone (an index-only scan, no heap visits).
            models.Index(
                fields=["administration", "answered_at"],
                include=["created_at", "first_opened_at", "assigned_at", "channel", "topic"],
                name="case_answered_idx",
            ),
            # Dashboards: the open cases only (a small share of the table), by status, agent
            # and deadline.
            models.Index(
                fields=["administration", "status", "assignee", "due_at"],
                condition=Q(status__in=["new", "assigned", "in_progress", "awaiting_usager"]),
                name="case_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # The labels, read from the choices' enums. Django's generated get_FOO_display rebuilds a
    # hashable dict of every choice on each call (three per row were a tenth of the inbox's CPU
    # when its rows were model instances; cases/inbox_rows.py reads the same labels).
    # (django-stubs declares the generated methods, hence the no-redef.)
    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(Status, self.status)

    def get_channel_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(Channel, self.channel)

    def get_priority_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(Priority, self.priority)


def choice_label(choices: type[models.Choices], value: object) -> str:
    """The label of ``value`` among ``choices``, in the active language; the value itself when
    it is not one of them (as text; Django's get_FOO_display gives it as it is)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The case journal is append-only: events are never updated.")

    def delete(self):
        raise TypeError("The case journal is append-only: events are never deleted.")


# The reasons Guichet itself writes in ``CaseEvent.data["reason"]`` (an agent's reason is their
# own words): the timeline shows them in words, not as the code stored in the journal.
SYSTEM_REASONS = {
    "member_deactivated": _("the agent's account in this administration was deactivated"),
    "usager_email": _("the usager wrote again by e-mail"),
}


class CaseEvent(models.Model):
    """One line of a case's journal. Append-only: never updated, never deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case created")
        ASSIGNED = "assigned", _("Assigned")
        TAKEN = "taken", _("Taken from the queue")
        RELEASED = "released", _("Returned to the queue")
        STATUS_CHANGED = "status_changed", _("Status changed")
        OPENED = "opened", _("Opened by its agent")
        NOTE_ADDED = "note_added", _("Internal note added")
        REPLY_SENT = "reply_sent", _("Reply sent")
        TRANSFERRED_OUT = "transferred_out", _("Transferred to another administration")
        TRANSFERRED_IN = "transferred_in", _("Received by transfer")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        USAGER_MESSAGE = "usager_message", _("Message from the usager")
        REPLY_DELIVERED = "reply_delivered", _("Reply delivered")
        DELIVERY_FAILED = "delivery_failed", _("Reply delivery failed")
        DELIVERY_RETRIED = "delivery_retried", _("Reply delivery retried")
        # E-mail intake (cases/intake/): recorded, never resuming the case.
        AUTO_REPLY = "auto_reply", _("Automatic reply received")
        BOUNCE = "bounce", _("Delivery failure notice received")
        FOLLOW_UP_OPENED = "follow_up_opened", _("Follow-up case opened")
        ACKNOWLEDGEMENT_SENT = "ack_sent", _("Acknowledgement of receipt sent")
        ACKNOWLEDGEMENT_FAILED = "ack_failed", _("Acknowledgement of receipt failed")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The case journal is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The case journal is append-only: events are never deleted.")

    @property
    def reason_text(self) -> str:
        reason = str((self.data or {}).get("reason") or "")
        label = SYSTEM_REASONS.get(reason)
        return reason if label is None else str(label)


class InternalNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.body[:40]}"


class Reply(models.Model):
    """A text sent to the usager."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("reply"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.body[:40]}"
