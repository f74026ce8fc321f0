"""The experiment set-up page of administrators.

The administration is the one of the session; a role without the permission gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

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
@require_http_methods(["GET", "POST"])
def experiment_stop(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Stopping asks first: GET shows what will happen, only a POST carrying the confirmation
    ends the period."""
    administration = administration_for(request, MANAGE_EXPERIMENT)
    if request.POST.get("confirm") != "1":
        if running_period(administration.pk) is None:
            return redirect("drafting:experiment")
        return render(
            request,
            "components/confirm.html",
            {
                "title": _("Stop the experiment?"),
                "consequences": [
                    _(
                        "The current period ends now: cases created from now on are no longer "
                        "drawn, and no agent receives new drafts."
                    ),
                    _(
                        "Nothing is deleted: periods, cases, drafts and decisions stay for the "
                        "impact report. Starting again opens a new period, compared on its own."
                    ),
                ],
                "action": request.path,
                "fields": {},
                "confirm_label": _("Yes, stop the experiment"),
                "confirm_id": "confirm-stop",
                "cancel_url": reverse("drafting:experiment"),
                "back_label": _("Experiment"),
                "confirmation_missing": request.method == "POST",
            },
            status=400 if request.method == "POST" else 200,
        )
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
