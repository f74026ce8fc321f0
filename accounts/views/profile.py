"""The agent's own pages: profile, volunteering in the drafting experiment, and the
administrators' entry page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..access import AuthenticatedHttpRequest, current_administration, may, requires, signed_in
from ..models import ConsentText, Enrolment
from ..permissions import MANAGE_EXPERIMENT, MANAGE_MEMBERS, MANAGE_SETTINGS, VIEW_AUDIT
from ..selectors import active_memberships, current_consent


@requires()
def administration_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators' entry: one tile per page their role opens in this administration."""
    allowed = {
        perm: may(request, perm)
        for perm in (MANAGE_MEMBERS, MANAGE_SETTINGS, MANAGE_EXPERIMENT, VIEW_AUDIT)
    }
    if not any(allowed.values()):
        raise PermissionDenied
    return render(request, "accounts/administration.html", {"allowed": allowed})


@signed_in
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agent's profile: memberships, and taking part in the drafting experiment."""
    administration = current_administration(request)
    enrolment = None
    if administration:
        enrolment = (
            Enrolment.objects.filter(user=request.user, administration=administration)
            .order_by("-requested_at")
            .first()
        )
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": active_memberships(request.user),
            "consent": current_consent(administration) if administration else None,
            "enrolment": enrolment,
            "today": timezone.localdate(),
        },
    )


@signed_in
@require_POST
def volunteer(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = current_administration(request)
    consent_id = request.POST.get("consent", "")
    consent = (
        ConsentText.objects.filter(pk=consent_id, administration=administration).first()
        if consent_id.isdigit() and administration
        else None
    )
    if not administration or consent is None or request.POST.get("agree") != "on":
        messages.error(request, _("Read the consent text and tick the box to volunteer."))
        return redirect("accounts:profile")
    try:
        enrolment = services.enrolment_request(
            actor=request.user, administration=administration, consent=consent
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        if enrolment.status == Enrolment.Status.APPROVED:
            messages.success(request, _("You accepted the invitation: you take part."))
        else:
            messages.success(request, _("Your request was sent to your administrators."))
    return redirect("accounts:profile")


@signed_in
@require_POST
def withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    enrolment = Enrolment.objects.filter(
        user=request.user,
        administration=current_administration(request),
        status__in=Enrolment.LIVE,
    ).first()
    if enrolment is None:
        messages.error(request, _("You are not taking part."))
    elif enrolment.status == Enrolment.Status.INVITED:
        services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
        messages.success(request, _("You declined the invitation."))
    else:
        services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
        messages.success(request, _("You no longer take part: no draft will be shown to you."))
    return redirect("accounts:profile")
