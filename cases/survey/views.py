"""The usager's survey page: no sign-in, one response per case, rate limited per address."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.access import public
from accounts.client import client_address

from ..models import SatisfactionResponse
from .services import SurveyLinkError, rate_limited, satisfaction_record, survey_case_from_token

RATINGS = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy(
            "How would you rate the reply you received? (1: very poor, 5: very good)"
        ),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a rating from 1 to 5.")},
    )
    answered = forms.ChoiceField(
        label=gettext_lazy("Did this reply answer your question?"),
        choices=SatisfactionResponse.Answered.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether the reply answered your question.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _client_ip(request: HttpRequest) -> str:
    # X-Forwarded-For only from GUICHET_TRUSTED_PROXIES, as for every limit.
    return client_address(request)


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "cases/survey.html", context, status=status)
    # The token is in the URL: keep it out of Referer headers sent to other sites and out of
    # shared caches. Not "no-referrer": with it the browser sends "Origin: null" with the form,
    # and the CSRF check refuses every answer (tests/e2e/test_survey.py).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


PROBLEMS = {
    "bad": (
        400,
        gettext_lazy(
            "This link is not valid. Check that you copied the whole address from the e-mail."
        ),
    ),
    "expired": (
        410,
        gettext_lazy("This link has expired: the survey can only be answered for a limited time."),
    ),
    "used": (
        410,
        gettext_lazy("This survey has already been answered. Thank you for your reply."),
    ),
}


@public(reason="the usager's survey link: its signed, expiring token is the credential")
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    wait = rate_limited(_client_ip(request))
    if wait:
        response = _render(
            request,
            {"problem": _("Too many attempts from your connection. Try again in a few minutes.")},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        case = survey_case_from_token(token)
    except SurveyLinkError as exc:
        status, message = PROBLEMS[exc.reason]
        return _render(request, {"problem": message}, status=status)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            satisfaction_record(
                case=case,
                rating=form.cleaned_data["rating"],
                answered=form.cleaned_data["answered"],
                comment=form.cleaned_data["comment"],
            )
        except SurveyLinkError:
            status, message = PROBLEMS["used"]
            return _render(request, {"problem": message}, status=status)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return _render(request, {"thanks": True, "reference": case.reference})
    status = 400 if request.method == "POST" else 200
    return _render(request, {"form": form, "reference": case.reference}, status=status)
