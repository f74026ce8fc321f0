from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import (
    CohortInviteForm,
    ConsentForm,
    EmailAuthenticationForm,
    VolunteerSettingsForm,
)
from .middleware import SESSION_KEY
from .models import ConsentText, Enrolment, Membership
from .permissions import MANAGE_MEMBERS, administrations_with_perm, has_administration_perm
from .selectors import active_memberships, administrations_of


class LogoutView(auth_views.LogoutView):
    """Sign out of Guichet; after a ProConnect sign-in, of ProConnect too.

    Without the provider's logout, the next "Se connecter avec ProConnect" on a shared
    computer would sign the previous agent back in silently.
    """

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if settings.PROCONNECT_ENABLED and id_token:
            from .oidc import ProviderUnavailable, provider_configuration

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
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.PROCONNECT_ENABLED
        context["oidc_refused"] = self.request.GET.get("proconnect") == "refuse"
        return context


@login_required
@require_POST
def switch_administration(request: HttpRequest) -> HttpResponse:
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
    return HttpResponseRedirect(next_url) if next_url != "/" else redirect("home")


# --- volunteering -----------------------------------------------------------------------------


def _current_consent(administration):
    return ConsentText.objects.filter(administration=administration).order_by("-version").first()


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The agent's profile: memberships, and taking part in the drafting experiment."""
    administration = request.administration
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
            "consent": _current_consent(administration) if administration else None,
            "enrolment": enrolment,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def volunteer(request: HttpRequest) -> HttpResponse:
    administration = request.administration
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


@login_required
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    enrolment = Enrolment.objects.filter(
        user=request.user,
        administration=request.administration,
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


def _enrolment_administration(request: HttpRequest):
    administration = request.administration
    if not administration or not has_administration_perm(
        request.user, MANAGE_MEMBERS, administration
    ):
        raise PermissionDenied
    return administration


@login_required
def enrolments(request: HttpRequest) -> HttpResponse:
    """Administrators: the volunteers of their administration, the requests to decide, the
    cohorts, the quota and the consent text."""
    administration = _enrolment_administration(request)
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
    cohort_form = CohortInviteForm(members=candidates, prefix="cohort")
    settings_form = VolunteerSettingsForm(
        initial={"volunteer_quota": administration.volunteer_quota}, prefix="quota"
    )
    consent = _current_consent(administration)
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
                    messages.success(
                        request,
                        _(
                            "%(count)s agents are invited to the cohort “%(cohort)s”: each "
                            "takes part once they have accepted the consent text."
                        )
                        % {"count": len(data["members"]), "cohort": data["cohort"]},
                    )
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


@login_required
@require_POST
def enrolment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = Enrolment.objects.filter(
        pk=pk,
        administration__in=administrations_with_perm(request.user, MANAGE_MEMBERS).values("pk"),
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
