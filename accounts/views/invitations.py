"""The invitations waiting for the signed-in person: accept or decline, from their own session."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..access import AuthenticatedHttpRequest, signed_in
from ..models import Membership


def _pending_of(request: AuthenticatedHttpRequest):
    return Membership.objects.filter(user=request.user, pending=True).select_related(
        "administration"
    )


@signed_in
def invitations(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/invitations.html", {"pending": _pending_of(request)})


@signed_in
@require_POST
def invitation_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _pending_of(request).filter(pk=pk).first()
    if membership is None:
        raise Http404
    if request.POST.get("answer") == "accept":
        services.membership_accept(user=request.user, membership=membership)
        messages.success(
            request,
            _("You are now a member of %(name)s.") % {"name": membership.administration.name},
        )
    else:
        services.membership_decline(user=request.user, membership=membership)
        messages.success(
            request,
            _("You declined the invitation of %(name)s.")
            % {"name": membership.administration.name},
        )
    return redirect("accounts:invitations")
