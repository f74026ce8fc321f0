"""Thin Celery tasks and follow-up handlers of accounts: they take ids and do one thing."""

from __future__ import annotations

from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.core.management import call_command
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .followups.registry import followup_handler
from .models import Membership, User

MEMBER_INVITATION = "mail.member_invitation"
RESET_LINK_MAIL = "mail.password_reset"


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(membership_id: int) -> None:
    """Messages queued before the follow-ups (accounts.followups): the same mail."""
    member_invitation_mail(membership_id=membership_id)


@followup_handler(MEMBER_INVITATION)
def member_invitation_mail(*, membership_id: int) -> None:
    """E-mail an invited member: a link to choose a password (new account) or to sign in.

    A follow-up of the invitation (``members_invite`` writes the row in its transaction)."""
    membership = (
        Membership.objects.select_related("user", "administration")
        .filter(Q(is_active=True) | Q(pending=True), pk=membership_id)
        .first()
    )
    if membership is None:
        return
    user = membership.user
    site = settings.SITE_URL.rstrip("/")
    # Who accepts from their own session: someone with an account elsewhere.
    from_session = membership.pending and not membership.joins_at_sign_in
    if from_session:
        link = site + reverse("accounts:invitations")
    elif user.has_usable_password():
        # Their next sign-in accepts the invitation.
        link = site + reverse("accounts:login")
    else:
        link = site + reverse(
            "accounts:invitation_accept",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "membership": membership,
            "link": link,
            "new_account": not user.has_usable_password() and not from_session,
            "pending": from_session,
            "proconnect": settings.PROCONNECT_ENABLED,
            "login_url": site + reverse("accounts:login"),
        }
        subject = _("You are invited to Guichet by %(administration)s") % {
            "administration": membership.administration.name
        }
        body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@followup_handler(RESET_LINK_MAIL)
def password_reset_mail(*, email: str = "", user_id: int | None = None, language: str = "") -> None:
    """E-mail a link to choose a new password to the accounts of ``email`` that may get one
    (Django's rule: active, with a usable password, the address matching); nothing for an
    address without such an account (``password_reset_request`` writes one follow-up for any
    address). ``user_id``: a follow-up written before addresses were looked up here.

    The worker sends it, not the request: an SMTP round trip in the answer of "Mot de passe
    oublié" would tell who has an account. The link is made now (the reset token's timeout
    counts from the mail), on ``SITE_URL`` (its path included) rather than on the request's
    Host header."""
    if user_id is not None:
        users = [
            user
            for user in User.objects.filter(pk=user_id, is_active=True)
            if user.has_usable_password() and user.email
        ]
    else:
        users = list(PasswordResetForm().get_users(email))
    for user in users:
        _password_reset_send(user, language)


def _password_reset_send(user: User, language: str) -> None:
    site = settings.SITE_URL.rstrip("/")
    with translation.override(language or settings.LANGUAGE_CODE):
        link = site + reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {"site_name": urlsplit(site).netloc, "link": link, "user": user}
        subject = "".join(
            render_to_string("registration/password_reset_subject.txt", context).splitlines()
        )
        body = render_to_string("accounts/password_reset_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@shared_task(name="accounts.clear_sessions", ignore_result=True)
def clear_sessions() -> None:
    """Celery beat, daily: delete expired sessions (Django's ``clearsessions``)."""
    call_command("clearsessions")
