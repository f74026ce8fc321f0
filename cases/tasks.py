"""Cases' Celery tasks, found here by ``autodiscover_tasks``: each room keeps its own."""

from .delivery.tasks import deliver_reply
from .survey.tasks import send_survey_invitation

__all__ = ["deliver_reply", "send_survey_invitation"]
