"""Administrators' page for API tokens: create (the key is shown once), list, revoke."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import tokens
from ..access import AuthenticatedHttpRequest, administration_for, requires
from ..models import ApiToken
from ..permissions import MANAGE_MEMBERS


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
            # Rendered, not redirected: the key exists only in this response.
            context["new_key"] = key
            context["new_token"] = token
            context["form"] = {"name": "", "scope": ApiToken.Scope.READ, "expires_on": ""}
    context["tokens"] = tokens.api_tokens_of(administration)
    response = render(request, "accounts/tokens.html", context, status=status)
    add_never_cache_headers(response)
    return response


@requires(MANAGE_MEMBERS)
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    administration = administration_for(request, MANAGE_MEMBERS)
    token = tokens.api_tokens_of(administration).filter(pk=pk).first()
    if token is None:
        raise Http404
    tokens.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
