"""The counter's pages: "New case" (a usager at the counter or on the phone) and the
composer's "Record the answer given". Thin: parse, call cases/counter/services.py, render."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, administration_for, requires, signed_in
from accounts.permissions import WORK_CASES

from .. import selectors
from ..composer.forms import ReplyForm
from ..composer.views import already_sent, htmx_redirect, is_htmx
from ..files import ScannerUnavailable
from ..models import Case
from ..services.reply_attachments import pending_attachments, uploaded_files
from ..views import case_context, get_case, render_case
from .forms import AnswerGivenForm, CounterCaseForm
from .services import case_record_answer_given, counter_case_create

SCANNER_DOWN = gettext_lazy(
    "The antivirus cannot check the attached files right now: nothing was saved. "
    "Try again in a few minutes."
)


def _form_errors(form, exc: ValidationError, shown: tuple[str, ...]) -> None:
    """A service's refusal on the form: under its field when the page shows that field,
    above the form otherwise (a stale version, a state, the files)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in shown else None, errors)


# Each "New case" form carries a token of its own: a form sent twice (a double click, a page
# sent again) records its case once, and the second sending opens the case the first recorded.
# While the first sending is being recorded the token is held briefly (a sending that failed
# without a word, a worker killed, gives it back at the latest then).
SUBMISSION_SECONDS = 3600
IN_FLIGHT_SECONDS = 120
BEING_RECORDED = gettext_lazy(
    "This form is still being recorded from your first sending: look for the case in your "
    "cases in a moment before sending it again."
)


def _submission_key(request: HttpRequest, token: str) -> str:
    return f"counter-submission:{request.user.pk}:{token[:64]}"


def _render_new(request, form: CounterCaseForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "cases/case_new.html",
        {
            "form": form,
            "submission": request.POST.get("submission") or secrets.token_urlsafe(16),
            "max_files": settings.INTAKE_ATTACHMENT_MAX_FILES,
            "max_mb": settings.INTAKE_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


@requires(WORK_CASES)
@require_http_methods(["GET", "POST"])
def case_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A case for a usager at the counter or on the phone, in the current administration."""
    administration = administration_for(request, WORK_CASES)
    topics = list(selectors.topics_for(administration))
    if request.method != "POST":
        return _render_new(request, CounterCaseForm(topics=topics))
    form = CounterCaseForm(request.POST, topics=topics)
    token = request.POST.get("submission", "")
    key = _submission_key(request, token)
    if token and not cache.add(key, 0, IN_FLIGHT_SECONDS):
        # Sent before: open the case it recorded (0: still being recorded; None: the cache is
        # out, and the form is recorded as if no token had come).
        recorded = cache.get(key)
        if recorded:
            return redirect("cases:detail", pk=recorded)
        if recorded == 0:
            form.add_error(None, BEING_RECORDED)
            return _render_new(request, form, status=409)
    try:
        case = _record(request, form, administration) if form.is_valid() else None
    except BaseException:
        if token:
            cache.delete(key)  # nothing recorded: the same form may come again
        raise
    if case is None:
        if token:
            cache.delete(key)
        return _render_new(request, form, status=400)
    if token:
        cache.set(key, case.pk, SUBMISSION_SECONDS)
    messages.success(
        request,
        _("Case %(reference)s recorded: its draft is being prepared.")
        % {"reference": case.reference},
    )
    return redirect("cases:detail", pk=case.pk)


def _record(
    request: AuthenticatedHttpRequest, form: CounterCaseForm, administration
) -> Case | None:
    """The case of a valid form, or None with the service's refusal on the form."""
    data = form.cleaned_data
    try:
        return counter_case_create(
            actor=request.user,
            administration=administration,
            channel=data["channel"],
            subject=data["subject"],
            body=data["body"],
            usager_name=data["usager_name"],
            usager_email=data["usager_email"],
            usager_phone=data["usager_phone"],
            topic=form.topic_object(),
            priority=data["priority"],
            files=uploaded_files(request.FILES.getlist("attachments")[:100]),
            handle_now=data["handle_now"],
        )
    except ScannerUnavailable:
        form.add_error(None, SCANNER_DOWN)
    except ValidationError as exc:
        _form_errors(form, exc, shown=tuple(form.fields))
    return None


def _composer_again(request, case, status: int, form: AnswerGivenForm) -> HttpResponse:
    """The composer with the agent's text kept and the errors shown (in place with htmx)."""
    data = request.POST.copy()
    data["confirmed"] = ""
    reply_form = ReplyForm(data)
    reply_form.is_valid()
    # The composer's own words for its errors are the reply's ("before sending it"): only
    # this form's errors are shown.
    reply_form.errors.clear()
    for error in form.errors.get("body", []):
        reply_form.add_error("body", error)
    for error in form.non_field_errors():
        reply_form.add_error(None, error)
    context = {
        "reply_form": reply_form,
        "answer_given_form": form,
        "reply_attachments": pending_attachments(
            case=case, actor=request.user, token=request.POST.get("attachment_token", "")[:64]
        ),
    }
    if is_htmx(request):
        return render(
            request,
            "cases/_composer.html",
            case_context(request, case, **context),
            status=status,
        )
    return render_case(request, case, status=status, **context)


@signed_in  # the case policy decides (404 for a case one may not see)
@require_POST
def case_answer_given(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The composer's text recorded as the answer given at the counter or on the phone."""
    case = get_case(request, pk)
    form = AnswerGivenForm(request.POST)
    if not form.is_valid():
        return _composer_again(request, case, 400, form)
    url = f"{reverse('cases:detail', args=[case.pk])}?envoye=1"
    if form.cleaned_data["version"] != case.version:
        recorded = already_sent(request, case, form.cleaned_data["body"])
        if recorded is not None:
            # A double click, or Back then the button again: recorded once, said so.
            messages.info(
                request,
                _("This answer was already recorded on %(date)s: it was not recorded again.")
                % {"date": date_format(timezone.localtime(recorded.created_at), "DATETIME_FORMAT")},
            )
            return htmx_redirect(request, url)
    attachment_ids = [int(v) for v in request.POST.getlist("attachment_ids") if v.isdigit()]
    try:
        case_record_answer_given(
            actor=request.user,
            case=case,
            body=form.cleaned_data["body"],
            given=form.cleaned_data["given"],
            expected_version=form.cleaned_data["version"],
            attachment_token=form.cleaned_data["attachment_token"],
            attachment_ids=attachment_ids,
            files=uploaded_files(request.FILES.getlist("attachments")[:100]),
        )
    except ScannerUnavailable:
        form.add_error(None, SCANNER_DOWN)
        return _composer_again(request, case, 400, form)
    except ValidationError as exc:
        _form_errors(form, exc, shown=("body", "given"))
        stale = "version" in getattr(exc, "error_dict", {})
        return _composer_again(request, case, 409 if stale else 400, form)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("The answer you gave is recorded. The case is answered."))
    return htmx_redirect(request, url)
