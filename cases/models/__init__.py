"""The models of cases, one module per subdomain, re-exported here so that
``from cases.models import Case`` keeps working (and the migrations' paths stay valid)."""

from ..retention.models import RetentionPolicy
from .activity import ActivityKind, DailyActivity
from .case import (
    Case,
    CaseEvent,
    CaseEventQuerySet,
    CaseTally,
    InternalNote,
    ReferenceCounter,
    Reply,
)
from .choices import DEFAULT_RESPONSE_DAYS, OPEN_STATUSES, Channel, Priority, Status
from .delivery import Acknowledgement, ChannelEndpoint, Delivery
from .intake import (
    AcknowledgementSettings,
    Attachment,
    InboundEmail,
    IntakeDelivery,
    Mailbox,
    MailboxMessage,
    QuarantinedEmail,
    _attachment_path,
)
from .notifications import Notification, NotificationPreference
from .survey import SatisfactionResponse
from .topics import ResponseDeadline, Topic, topic_choices, topic_label, unique_per_administration

__all__ = [
    "DEFAULT_RESPONSE_DAYS",
    "OPEN_STATUSES",
    "Acknowledgement",
    "AcknowledgementSettings",
    "ActivityKind",
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseEventQuerySet",
    "CaseTally",
    "Channel",
    "ChannelEndpoint",
    "DailyActivity",
    "Delivery",
    "InboundEmail",
    "IntakeDelivery",
    "InternalNote",
    "Mailbox",
    "MailboxMessage",
    "Notification",
    "NotificationPreference",
    "Priority",
    "QuarantinedEmail",
    "ReferenceCounter",
    "Reply",
    "ResponseDeadline",
    "RetentionPolicy",
    "SatisfactionResponse",
    "Status",
    "Topic",
    "_attachment_path",
    "topic_choices",
    "topic_label",
    "unique_per_administration",
]
