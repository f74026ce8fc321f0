"""The administrators' page for rights requests (export, erasure) and the retention period."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.access import administration_for, requires
from accounts.permissions import MANAGE_SETTINGS

from . import services
from .forms import RetentionForm, RightsRequestForm
from .models import retention_days


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@requires(MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def rights_page(request: HttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    rights_form = RightsRequestForm()
    retention_form = RetentionForm(initial={"closed_case_days": retention_days(administration)})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "retention":
            retention_form = RetentionForm(request.POST)
            if retention_form.is_valid():
                services.retention_policy_set(
                    actor=request.user,  # type: ignore[arg-type]
                    administration=administration,
                    days=retention_form.cleaned_data["closed_case_days"],
                )
                messages.success(request, _("Retention period saved."))
                return redirect("cases:rights")
        else:
            rights_form = RightsRequestForm(request.POST)
            if rights_form.is_valid():
                identifier = rights_form.cleaned_data["identifier"]
                try:
                    if action == "export":
                        content, _count = services.usager_export(
                            actor=request.user,  # type: ignore[arg-type]
                            administration=administration,
                            identifier=identifier,
                        )
                        response = HttpResponse(content, content_type="application/zip")
                        response["Content-Disposition"] = (
                            'attachment; filename="donnees-usager.zip"'
                        )
                        return response
                    if action == "erase":
                        count = services.usager_erase(
                            actor=request.user,  # type: ignore[arg-type]
                            administration=administration,
                            identifier=identifier,
                            reason=rights_form.cleaned_data["reason"],
                        )
                        messages.success(
                            request,
                            ngettext(
                                "The usager's data was erased from %(count)s case.",
                                "The usager's data was erased from %(count)s cases.",
                                count,
                            )
                            % {"count": count},
                        )
                        return redirect("cases:rights")
                    rights_form.add_error(None, _("Choose export or erase."))
                except ValidationError as exc:
                    _add_errors(rights_form, exc)
        status = 400
    return render(
        request,
        "cases/rights.html",
        {
            "rights_form": rights_form,
            "retention_form": retention_form,
            "default_days": services.default_days(),
        },
        status=status,
    )
