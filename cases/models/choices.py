"""The vocabularies of a case: channels, statuses, priorities, default deadlines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SERVICES_PUBLICS_PLUS = "sp_plus", _("Services Publics+ experience")
    SERVICE_PUBLIC_QUESTION = "sp_question", _("service-public.fr question")
    FRANCE_SERVICES = "france_services", _("France Services accompaniment")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_USAGER = "awaiting_usager", _("Awaiting the usager")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    TRANSFERRED = "transferred", _("Transferred")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_USAGER)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


# Used when an administration has set no deadline for a channel.
DEFAULT_RESPONSE_DAYS = {
    Channel.SERVICES_PUBLICS_PLUS: 15,
    Channel.SERVICE_PUBLIC_QUESTION: 10,
    Channel.FRANCE_SERVICES: 5,
    Channel.EMAIL: 10,
    Channel.PHONE: 3,
    Channel.WEB_FORM: 10,
}
