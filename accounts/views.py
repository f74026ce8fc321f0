from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import EmailAuthenticationForm
from .middleware import SESSION_KEY
from .models import ConsentText, Enrolment
from .permissions import MANAGE_MEMBERS, administrations_with_perm, has_administration_perm
from .selectors import active_memberships, administrations_of


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
        },
    )


@login_required
@require_POST
def volunteer(request: HttpRequest) -> HttpResponse:
    administration = request.administration
    consent = ConsentText.objects.filter(
        pk=request.POST.get("consent"), administration=administration
    ).first()
    if not administration or consent is None or request.POST.get("agree") != "on":
        messages.error(request, _("Read the consent text and tick the box to volunteer."))
        return redirect("accounts:profile")
    try:
        services.enrolment_request(
            actor=request.user, administration=administration, consent=consent
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Your request was sent to your administrators."))
    return redirect("accounts:profile")


@login_required
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    enrolment = Enrolment.objects.filter(
        user=request.user,
        administration=request.administration,
        status__in=[Enrolment.Status.REQUESTED, Enrolment.Status.APPROVED],
    ).first()
    if enrolment is None:
        messages.error(request, _("You are not taking part."))
    else:
        services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
        messages.success(request, _("You no longer take part: no draft will be shown to you."))
    return redirect("accounts:profile")


@login_required
def enrolments(request: HttpRequest) -> HttpResponse:
    """Administrators: the volunteers of their administration, and the requests to decide."""
    administration = request.administration
    if not administration or not has_administration_perm(
        request.user, MANAGE_MEMBERS, administration
    ):
        raise PermissionDenied
    rows = list(
        Enrolment.objects.filter(administration=administration)
        .select_related("user", "decided_by", "consent")
        .order_by("status", "-requested_at")
    )
    return render(
        request,
        "accounts/enrolments.html",
        {
            "requested": [e for e in rows if e.status == Enrolment.Status.REQUESTED],
            "others": [e for e in rows if e.status != Enrolment.Status.REQUESTED],
        },
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
    try:
        services.enrolment_decide(
            actor=request.user,
            enrolment=enrolment,
            approve=approve,
            message=request.POST.get("message", "")[:2000],
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
