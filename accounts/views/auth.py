"""Signing in and out, choosing a password from an invitation, switching administration."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import AccessRule, AuthenticatedHttpRequest, signed_in
from ..client import client_address
from ..forms import EmailAuthenticationForm
from ..middleware import SESSION_KEY
from ..models import User
from ..oidc import ProviderUnavailable, provider_configuration
from ..selectors import administrations_of
from ..services import password_reset_request


class LogoutView(auth_views.LogoutView):
    """Sign out of Guichet; after a ProConnect sign-in, of ProConnect too.

    Without the provider's logout, the next "Se connecter avec ProConnect" on a shared
    computer would sign the previous agent back in silently.
    """

    access_rule = AccessRule("public", reason="signing out (a POST; anonymous is a no-op)")

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if settings.PROCONNECT_ENABLED and id_token:
            try:
                endpoint = provider_configuration().end_session_endpoint
            except ProviderUnavailable:
                endpoint = ""
            if endpoint:
                params = urlencode(
                    {
                        "id_token_hint": id_token,
                        "state": get_random_string(32),
                        "post_logout_redirect_uri": request.build_absolute_uri(
                            resolve_url(settings.LOGOUT_REDIRECT_URL)
                        ),
                    }
                )
                return HttpResponseRedirect(f"{endpoint}?{params}")
        return response


class LoginView(auth_views.LoginView):
    access_rule = AccessRule("public", reason="the sign-in page")
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.PROCONNECT_ENABLED
        context["oidc_refused"] = self.request.GET.get("proconnect") == "refuse"
        return context


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers past the failure limit (AXES_LOCKOUT_CALLABLE): the sign-in page
    with the reason and the wait, 429. The same for every account, known or not."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = EmailAuthenticationForm(request)
    response = render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "locked_message": _(
                "Too many failed sign-in attempts. For your security, signing in is blocked "
                "for %(minutes)s minutes; try again later or reset your password."
            )
            % {"minutes": minutes},
            "oidc_enabled": settings.PROCONNECT_ENABLED,
            "next": "",
        },
        status=429,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def _spend(key: str, limit: int, window: int) -> bool:
    """Count one request against ``key``; False once ``limit`` requests are in the window."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link, limited per client address and per e-mail typed.

    Past either limit the form answers 429 with the reason and sends nothing; the answer is the
    same whether the address has an account or not, and as quick: the mail is the worker's
    (``password_reset_request``), never an SMTP round trip inside this request.
    """

    access_rule = AccessRule("public", reason="asking for a password reset link")
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        window = settings.PASSWORD_RESET_LIMIT_WINDOW_SECONDS
        email = form.cleaned_data["email"].strip().lower()
        by_address = _spend(
            f"password-reset:address:{client_address(self.request)}",
            settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            window,
        )
        by_email = _spend(
            f"password-reset:email:{email}", settings.PASSWORD_RESET_LIMIT_PER_EMAIL, window
        )
        if not (by_address and by_email):
            form.add_error(
                None,
                _(
                    "Too many password reset requests. For your security, try again in "
                    "%(minutes)s minutes."
                )
                % {"minutes": window // 60},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(window)
            return response
        password_reset_request(email=form.cleaned_data["email"], language=get_language() or "")
        return HttpResponseRedirect(self.get_success_url())


@signed_in
@require_POST
def switch_administration(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change the administration the user works in (only among their own)."""
    administration = (
        administrations_of(request.user).filter(pk=request.POST.get("administration")).first()
    )
    if administration is None:
        messages.error(request, _("You are not a member of this administration."))
    else:
        request.session[SESSION_KEY] = administration.pk
        messages.success(request, _("You now work for %(name)s.") % {"name": administration.name})
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    elif administration is not None and _object_page(next_url):
        # A case, a member, a fiche... belongs to the administration just left: coming back to
        # it would switch back (a case page works in the case's administration). Home instead.
        next_url = "/"
    return HttpResponseRedirect(next_url) if next_url != "/" else redirect("home")


def _object_page(url: str) -> bool:
    """Whether ``url`` is the page of one object (its route takes an identifier)."""
    try:
        return bool(resolve(urlsplit(url).path).kwargs)
    except Resolver404:
        return False


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invited person chooses their password (the link works once)."""

    access_rule = AccessRule("public", reason="the signed invitation link is the credential")
    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        # The account locked while its password is saved: an invitation withdrawn meanwhile
        # deleted it (``membership_set_active``), and saving it whole would insert it again,
        # with a password and no membership. Withdrawn first, the link says so; withdrawn
        # after, the account has a password and stays.
        with transaction.atomic():
            if not User.objects.select_for_update().filter(pk=form.user.pk).exists():
                messages.error(
                    self.request,
                    _("This invitation was withdrawn: ask the administration that invited you."),
                )
                return redirect("accounts:login")
            response = super().form_valid(form)
        messages.success(self.request, _("Your password is set: you can sign in."))
        return response
