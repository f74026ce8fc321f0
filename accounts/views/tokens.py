"""Administrators' page for API tokens: create (the key is shown once), list, revoke."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import tokens
from ..access import AuthenticatedHttpRequest, administration_for, requires
from ..models import ApiToken
from ..permissions import MANAGE_MEMBERS

# The key just created, kept in the session until the page that shows it is rendered once.
NEW_KEY_SESSION = "api_token_new_key"


def _day(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {"expires_on": [ValidationError(_("Enter a valid date."), code="invalid")]}
        ) from None


@requires(MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """POST creates a token and redirects (POST/redirect/GET: reloading never creates a second
    one); the key waits in the session and is shown by the next GET only, then forgotten."""
    administration = administration_for(request, MANAGE_MEMBERS)
    context = {
        "scopes": ApiToken.Scope.choices,
        "form": {"name": "", "scope": ApiToken.Scope.READ, "expires_on": ""},
        "errors": {},
        "new_key": None,
    }
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "")
        scope = request.POST.get("scope", "")
        expires_on = request.POST.get("expires_on", "").strip()
        context["form"] = {"name": name, "scope": scope, "expires_on": expires_on}
        try:
            token, key = tokens.api_token_create(
                actor=request.user,
                administration=administration,
                name=name,
                scope=scope,
                expires_on=_day(expires_on),
            )
        except ValidationError as exc:
            context["errors"] = exc.message_dict
            status = 400
        else:
            request.session[NEW_KEY_SESSION] = {
                "administration": administration.pk,
                "token": token.pk,
                "key": key,
            }
            return redirect("accounts:tokens")
    else:
        shown = request.session.pop(NEW_KEY_SESSION, None)
        if shown and shown.get("administration") == administration.pk:
            new_token = tokens.api_tokens_of(administration).filter(pk=shown["token"]).first()
            if new_token is not None:
                context["new_key"] = shown["key"]
                context["new_token"] = new_token
    context["tokens"] = tokens.api_tokens_of(administration)
    response = render(request, "accounts/tokens.html", context, status=status)
    # The key is in this response only: no cache, no back-forward copy of it.
    add_never_cache_headers(response)
    return response


@requires(MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Revoking asks first: GET shows what will stop, only a POST carrying the confirmation
    revokes."""
    administration = administration_for(request, MANAGE_MEMBERS)
    token = tokens.api_tokens_of(administration).filter(pk=pk).first()
    if token is None:
        raise Http404
    if token.revoked_at is not None:
        return redirect("accounts:tokens")
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "components/confirm.html",
            {
                "title": _("Revoke the token “%(name)s”?") % {"name": token.name},
                "consequences": [
                    _(
                        "Every system using this key (prefix %(prefix)s) is refused from its next "
                        "request. A revoked token cannot be restored: the system will need a new "
                        "token, and its key."
                    )
                    % {"prefix": token.prefix},
                ],
                "action": request.path,
                "fields": {},
                "confirm_label": _("Yes, revoke “%(name)s”") % {"name": token.name},
                "confirm_id": "confirm-revoke",
                "cancel_url": reverse("accounts:tokens"),
                "back_label": _("API tokens"),
                "confirmation_missing": request.method == "POST",
            },
            status=400 if request.method == "POST" else 200,
        )
    tokens.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
