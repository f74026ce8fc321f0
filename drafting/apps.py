from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "drafting"
    verbose_name = _("Drafting")

    def ready(self) -> None:
        from cases import signals

        from . import audit_actions, receivers  # noqa: F401 (audit_actions registers the actions)
        from .answers import receivers as answers_receivers  # noqa: F401  (connects itself)
        from .personal_data import register_personal_data

        register_personal_data()

        signals.case_created.connect(receivers.on_case_created, dispatch_uid="drafting.created")
        signals.reply_sent.connect(receivers.on_reply_sent, dispatch_uid="drafting.reply_sent")
