"""The experiment set-up page of administrators.

The administration is the one of the session; a role without the permission gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, administration_for, requires
from accounts.permissions import MANAGE_EXPERIMENT
from drafting.suggestions.backends import backend_label

from . import services
from .forms import ExperimentForm, backend_choice_value
from .selectors import experiment_has_volunteer, experiment_periods, running_period


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@requires(MANAGE_EXPERIMENT)
@require_http_methods(["GET", "POST"])
def experiment(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_EXPERIMENT)
    running = running_period(administration.pk)
    status = 200
    if request.method == "POST":
        form = ExperimentForm(request.POST)
        if form.is_valid():
            backend, model_name = form.backend_pair()
            try:
                services.experiment_configure(
                    actor=request.user,
                    administration=administration,
                    assisted_percent=form.cleaned_data["assisted_percent"],
                    backend=backend,
                    model_name=model_name,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The experiment set-up changed: a new period starts now.")
                    if running
                    else _("The experiment has started."),
                )
                return redirect("drafting:experiment")
        status = 400
    else:
        initial = {"assisted_percent": 50, "backend": backend_choice_value("offline", "")}
        if running is not None:
            initial = {
                "assisted_percent": int(running.assisted_share * 100),
                "backend": backend_choice_value(running.backend, running.model_name),
            }
        form = ExperimentForm(initial=initial)
    periods = list(experiment_periods(administration))
    for period in periods:
        period.percent = (period.assisted_share * 100).normalize()
        period.backend_label = backend_label(period.backend, period.model_name)
    return render(
        request,
        "drafting/experiment.html",
        {
            "running": next((p for p in periods if p.ended_at is None), None),
            "periods": periods,
            "form": form,
            "has_volunteer": experiment_has_volunteer(administration),
        },
        status=status,
    )


@requires(MANAGE_EXPERIMENT)
@require_POST
def experiment_stop(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_EXPERIMENT)
    try:
        services.experiment_end(actor=request.user, administration=administration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The experiment is stopped. Its periods, cases and drafts are all kept."),
        )
    return redirect("drafting:experiment")
