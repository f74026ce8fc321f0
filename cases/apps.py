from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Imported here, once the app registry is ready (they import models).
        from accounts.signals import membership_deactivated

        from . import (
            audit_actions,  # noqa: F401  (registers the journal actions)
            signals,
        )
        from .administration_settings.topics import ensure_national_topics
        from .receivers import (
            create_reply_delivery,
            invite_usager_after_answer_given,
            invite_usager_to_survey,
            release_cases_of_deactivated_member,
        )
        from .reporting.sql import register_sqlite_functions
        from .retention import holders  # noqa: F401  (registers the personal-data tables)

        membership_deactivated.connect(
            release_cases_of_deactivated_member, dispatch_uid="cases.release_on_deactivation"
        )
        connection_created.connect(register_sqlite_functions, dispatch_uid="cases.sqlite_median")
        # The survey asks whether the reply helped: only once the reply has reached the usager
        # (a reply whose delivery failed is never followed by a survey).
        signals.reply_delivered.connect(invite_usager_to_survey, dispatch_uid="cases.survey_invite")
        # An answer given in person or on the phone has no delivery: it reached the usager when
        # it was recorded.
        signals.reply_sent.connect(
            invite_usager_after_answer_given, dispatch_uid="cases.survey_invite_answer_given"
        )
        post_migrate.connect(ensure_national_topics, sender=self, dispatch_uid="cases.topics")
        signals.reply_sent.connect(create_reply_delivery, dispatch_uid="cases.reply_delivery")
