from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import EmailAuthenticationForm
from .middleware import SESSION_KEY
from .selectors import administrations_of


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
