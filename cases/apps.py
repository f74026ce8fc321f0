from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from .topics import ensure_national_topics

        post_migrate.connect(ensure_national_topics, sender=self, dispatch_uid="cases.topics")
