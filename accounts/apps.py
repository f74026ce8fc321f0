from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and administrations")

    def ready(self) -> None:
        # Registers the journal actions of accounts (accounts.journal).
        # Registers accounts' follow-up handlers (accounts.followups) by importing its tasks.
        from django.contrib.auth.signals import user_logged_in

        from . import audit_actions, checks, tasks  # noqa: F401
        from .auth_backends import forget_account_failures

        # A success forgets its own account's failures, never the address's others.
        user_logged_in.connect(forget_account_failures, dispatch_uid="guichet-forget-failures")
        # Every way of signing in (password, ProConnect) takes the invitations that brought
        # the person to Guichet.
        user_logged_in.connect(join_invitations, dispatch_uid="guichet-join-invitations")


def join_invitations(sender, request, user, **kwargs) -> None:
    from .services import memberships_join_at_sign_in

    memberships_join_at_sign_in(user=user)
