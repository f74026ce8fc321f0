"""The journal actions drafting writes (``AuditEntry.action``), with their labels.

Registered from ``DraftingConfig.ready()``; ``accounts.services.audit_record`` is always called
with one of these members, never with a free string. The values are stored in the journal:
never rename one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.audit.words import register_words
from accounts.journal import register_actions
from drafting.experiment.models import BACKEND_NAMES


@register_actions
class DraftingAuditAction(models.TextChoices):
    # experiment
    EXPERIMENT_STARTED = "experiment.started", _("Experiment period started")
    # A new frozen period replacing the running one (a change of share, backend or model).
    EXPERIMENT_RECONFIGURED = "experiment.reconfigured", _("Experiment changed")
    EXPERIMENT_STOPPED = "experiment.stopped", _("Experiment stopped")
    # knowledge
    ARTICLE_CREATED = "knowledge.article_created", _("Article created")
    ARTICLE_EDITED = "knowledge.article_edited", _("Article updated")
    ARTICLE_RETIRED = "knowledge.article_retired", _("Article retired")
    ARTICLE_REACTIVATED = "knowledge.article_reactivated", _("Article restored")
    KNOWLEDGE_IMPORTED = "knowledge.imported", _("Knowledge imported")


# The journal's details in words: the experiment's backend by its name, not its setting's code.
register_words(values={"backend": BACKEND_NAMES})
