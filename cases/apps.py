from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from accounts.signals import membership_deactivated

        from . import signals
        from .receivers import invite_usager_to_survey, release_cases_of_deactivated_member
        from .topics import ensure_national_topics

        membership_deactivated.connect(
            release_cases_of_deactivated_member, dispatch_uid="cases.release_on_deactivation"
        )

        from django.db.backends.signals import connection_created

        from .dashboard import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="cases.sqlite_median")
        signals.reply_sent.connect(invite_usager_to_survey, dispatch_uid="cases.survey_invite")
        post_migrate.connect(ensure_national_topics, sender=self, dispatch_uid="cases.topics")

        from . import signals
        from .receivers import create_reply_delivery

        signals.reply_sent.connect(create_reply_delivery, dispatch_uid="cases.reply_delivery")
