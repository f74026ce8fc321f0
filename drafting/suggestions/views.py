"""The suggestion panel: an htmx slot of the case page, served by drafting."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import may, requires
from accounts.permissions import VIEW_CASES, WORK_CASES
from cases.models import Case
from cases.permissions import Ability
from cases.permissions import may as case_may
from cases.selectors import case_get

from ..answers.services import MANAGE_ANSWERS
from . import selectors, services
from .forms import DiscardForm
from .models import Suggestion


def _case(request: HttpRequest, case_pk: int) -> Case:
    # A case the user may see, else 404; the case policy (cases/permissions.py, being written)
    # will answer this and ``can_work`` below.
    try:
        return case_get(request.user, pk=case_pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def _panel(
    request: HttpRequest, case: Case, *, discard_form=None, error: str = "", status=200
) -> HttpResponse:
    context = selectors.panel_context(request.user, case)
    suggestion = context.get("suggestion")
    if (
        suggestion is not None
        and suggestion.status == Suggestion.Status.READY
        and case.assignee_id == request.user.pk
    ):
        # The decision clock starts when the agent working the case first sees the draft.
        context["suggestion"] = services.suggestion_mark_shown(
            actor=request.user, suggestion=suggestion
        )
    context["discard_form"] = discard_form or DiscardForm()
    # A refusal is said in the panel itself, where the agent clicked (the swap shows it).
    context["panel_error"] = error
    # The draft's buttons (use, discard, new draft) follow the rule of replying.
    context["can_work"] = may(request, WORK_CASES, case.administration) and case_may(
        request.user, case, Ability.REPLY
    )
    context["can_manage_answers"] = may(request, MANAGE_ANSWERS, case.administration)
    return render(request, "drafting/_panel.html", context, status=status)


@requires(VIEW_CASES)
@require_GET
def panel(request: HttpRequest, case_pk: int) -> HttpResponse:
    return _panel(request, _case(request, case_pk))


@requires(WORK_CASES)
@require_POST
def request_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    try:
        services.suggestion_request(actor=request.user, case=case)
    except ValidationError as exc:
        return _panel(request, case, error=" ".join(exc.messages), status=400)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return _panel(request, case)


@requires(WORK_CASES)
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        suggestion = selectors.suggestion_get(request.user, pk)
    except Suggestion.DoesNotExist as exc:
        raise Http404 from exc
    case = suggestion.case
    form = DiscardForm(request.POST)
    if not form.is_valid():
        return _panel(request, case, discard_form=form, status=400)
    try:
        services.suggestion_discard(
            actor=request.user,
            suggestion=suggestion,
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _panel(request, case, discard_form=form, status=400)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return _panel(request, case)
