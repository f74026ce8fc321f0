"""Administrators' volunteers page: requests to decide, cohorts, quota, consent text."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import services
from ..access import AuthenticatedHttpRequest, administration_for, requires
from ..forms import CohortInviteForm, ConsentForm, VolunteerSettingsForm
from ..models import Enrolment, Membership
from ..permissions import MANAGE_MEMBERS
from ..selectors import current_consent


@requires(MANAGE_MEMBERS)
def enrolments(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators: the volunteers of their administration, the requests to decide, the
    cohorts, the quota and the consent text."""
    administration = administration_for(request, MANAGE_MEMBERS)
    rows = list(
        Enrolment.objects.filter(administration=administration)
        .select_related("user", "decided_by", "consent")
        .order_by("status", "-requested_at")
    )
    live_users = {e.user_id for e in rows if e.status in Enrolment.LIVE}
    candidates = (
        Membership.objects.filter(administration=administration, is_active=True)
        .exclude(user_id__in=live_users)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    approved = sum(1 for e in rows if e.status == Enrolment.Status.APPROVED)
    invited = sum(1 for e in rows if e.status == Enrolment.Status.INVITED)
    cohort_form = CohortInviteForm(members=candidates, prefix="cohort")
    settings_form = VolunteerSettingsForm(
        initial={"volunteer_quota": administration.volunteer_quota}, prefix="quota"
    )
    consent = current_consent(administration)
    consent_form = ConsentForm(initial={"text": consent.text if consent else ""}, prefix="consent")
    status = 200
    if request.method == "POST":
        form_name = request.POST.get("form")
        try:
            if form_name == "cohort":
                cohort_form = CohortInviteForm(request.POST, members=candidates, prefix="cohort")
                if cohort_form.is_valid():
                    data = cohort_form.cleaned_data
                    with transaction.atomic():
                        for membership in data["members"]:
                            services.enrolment_invite(
                                actor=request.user,
                                membership=membership,
                                cohort=data["cohort"],
                                starts_on=data["starts_on"],
                            )
                    count = len(data["members"])
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s agent is invited to the cohort “%(cohort)s”: they take "
                            "part once they have accepted the consent text.",
                            "%(count)s agents are invited to the cohort “%(cohort)s”: each "
                            "takes part once they have accepted the consent text.",
                            count,
                        )
                        % {"count": count, "cohort": data["cohort"]},
                    )
                    _warn_over_quota(request, administration, approved + invited + count)
                    return redirect("accounts:enrolments")
            elif form_name == "quota":
                settings_form = VolunteerSettingsForm(request.POST, prefix="quota")
                if settings_form.is_valid():
                    services.volunteer_quota_set(
                        actor=request.user,
                        administration=administration,
                        quota=settings_form.cleaned_data["volunteer_quota"],
                    )
                    messages.success(request, _("The volunteer quota is saved."))
                    administration.refresh_from_db(fields=["volunteer_quota"])
                    _warn_over_quota(request, administration, approved + invited)
                    return redirect("accounts:enrolments")
            elif form_name == "consent":
                consent_form = ConsentForm(request.POST, prefix="consent")
                if consent_form.is_valid():
                    published = services.consent_publish(
                        actor=request.user,
                        administration=administration,
                        text=consent_form.cleaned_data["text"],
                    )
                    messages.success(
                        request,
                        _("Version %(version)s of the consent text is published.")
                        % {"version": published.version},
                    )
                    return redirect("accounts:enrolments")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        status = 400
    return render(
        request,
        "accounts/enrolments.html",
        {
            "requested": [e for e in rows if e.status == Enrolment.Status.REQUESTED],
            "others": [e for e in rows if e.status != Enrolment.Status.REQUESTED],
            "approved_count": approved,
            "quota": administration.volunteer_quota,
            "consent": consent,
            "cohort_form": cohort_form,
            "settings_form": settings_form,
            "consent_form": consent_form,
        },
        status=status,
    )


@requires(MANAGE_MEMBERS)
@require_POST
def enrolment_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrolment = Enrolment.objects.filter(
        pk=pk, administration=administration_for(request, MANAGE_MEMBERS)
    ).first()
    if enrolment is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    starts_on = None
    raw_date = request.POST.get("starts_on", "").strip()
    if raw_date:
        try:
            starts_on = date.fromisoformat(raw_date)
        except ValueError:
            messages.error(request, _("The start date is not a valid date."))
            return redirect("accounts:enrolments")
    try:
        services.enrolment_decide(
            actor=request.user,
            enrolment=enrolment,
            approve=approve,
            message=request.POST.get("message", "")[:2000],
            cohort=request.POST.get("cohort", "") if approve else None,
            starts_on=starts_on,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            (_("%(name)s now takes part.") if approve else _("%(name)s's request was refused."))
            % {"name": enrolment.user.display_name},
        )
    return redirect("accounts:enrolments")


def _warn_over_quota(request, administration, wanted: int) -> None:
    """Say so when more volunteers take part, or would once the invited accept, than the
    quota allows: nobody is removed, but no one can join beyond it."""
    quota = administration.volunteer_quota
    if quota is not None and wanted > quota:
        messages.warning(
            request,
            ngettext(
                "The quota is %(quota)s volunteer and %(wanted)s take part or are invited: "
                "nobody is removed, but an invited agent cannot accept until a place is free.",
                "The quota is %(quota)s volunteers and %(wanted)s take part or are invited: "
                "nobody is removed, but an invited agent cannot accept until a place is free.",
                quota,
            )
            % {"quota": quota, "wanted": wanted},
        )
