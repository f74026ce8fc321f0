"""Thin Celery tasks and follow-up handlers of accounts: they take ids and do one thing."""

from __future__ import annotations

from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
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
    if membership.pending:
        # Someone with an account elsewhere: they accept from their own session.
        link = site + reverse("accounts:invitations")
    elif user.has_usable_password():
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
            "new_account": not user.has_usable_password() and not membership.pending,
            "pending": membership.pending,
            "proconnect": settings.PROCONNECT_ENABLED,
            "login_url": site + reverse("accounts:login"),
        }
        subject = _("You are invited to Guichet by %(administration)s") % {
            "administration": membership.administration.name
        }
        body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@followup_handler(RESET_LINK_MAIL)
def password_reset_mail(*, user_id: int, language: str = "") -> None:
    """E-mail a link to choose a new password (``password_reset_request``).

    The worker sends it, not the request: an SMTP round trip in the answer of "Mot de passe
    oublié" would tell who has an account. The link is made now (the reset token's timeout
    counts from the mail), on ``SITE_URL`` rather than on the request's Host header. Nothing
    leaves for an account deactivated or without a password since the request, as Django's own
    form would send nothing to it."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return
    site = urlsplit(settings.SITE_URL)
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "email": user.email,
            "domain": site.netloc,
            "site_name": site.netloc,
            "protocol": site.scheme or "https",
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
        }
        subject = "".join(
            render_to_string("registration/password_reset_subject.txt", context).splitlines()
        )
        body = render_to_string("accounts/password_reset_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@shared_task(name="accounts.clear_sessions", ignore_result=True)
def clear_sessions() -> None:
    """Celery beat, daily: delete expired sessions (Django's ``clearsessions``)."""
    call_command("clearsessions")
