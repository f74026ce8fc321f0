"""The answer bank's journal actions (registered from drafting/answers/receivers.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.journal import register_actions


@register_actions
class AnswerBankAuditAction(models.TextChoices):
    CREATED = "answers.created", _("Model answer written")
    FROM_REPLY = "answers.from_reply", _("Sent reply marked as a model answer")
    UPDATED = "answers.updated", _("Bank answer edited")
    RETIRED = "answers.retired", _("Bank answer retired")
    REACTIVATED = "answers.reactivated", _("Bank answer brought back")
    LEARNED = "answers.learned", _("Sent reply learned by the answer bank")
    EVICTED = "answers.evicted", _("Learned answer evicted (bank full)")
