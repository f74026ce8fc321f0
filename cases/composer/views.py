"""The composer: the reply in two steps, the first showing exactly what will be sent (citation
markers stripped, the attachments uploaded as pending files), the second sending it. The
rules are the reply services' (cases/services/replies.py, cases/services/reply_attachments.py);
the page around the composer is the case page's (cases/views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, signed_in

from .. import services
from ..models import Case, Reply
from ..services.reply_attachments import (
    pending_attachments,
    reply_attachments_prepare,
    uploaded_files,
)
from ..text import MASKED_RE, strip_citation_markers
from ..views import case_context, get_case, render_case
from .forms import ReplyForm


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _render_composer(request, case, status=200, **forms) -> HttpResponse:
    """The composer alone (htmx: the preview and the errors replace it where the agent is),
    else the whole case page."""
    if is_htmx(request):
        return render(
            request, "cases/_composer.html", case_context(request, case, **forms), status=status
        )
    return render_case(request, case, status=status, **forms)


def htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """To ``url``: a plain redirect, or htmx's HX-Redirect for a request it made."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _normalised(text: str) -> str:
    return strip_citation_markers(text).replace("\r\n", "\n").strip()


def already_sent(request: AuthenticatedHttpRequest, case: Case, body: str) -> Reply | None:
    """The agent's own latest reply on this case, if it is the text they confirm again (Back
    after sending, then Confirm): nothing to refuse, nothing to send twice."""
    reply = case.replies.filter(author=request.user).order_by("-created_at", "-pk").first()
    if reply is not None and _normalised(reply.body) == _normalised(body):
        return reply
    return None


@signed_in
@require_POST
def case_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Two steps: the first shows exactly what will be sent, the second sends it."""
    case = get_case(request, pk)
    detail = reverse("cases:detail", args=[case.pk])
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_composer(request, case, status=400, reply_form=form)
    body = form.cleaned_data["body"]
    version = form.cleaned_data["version"]
    if version != case.version:
        sent = already_sent(request, case, body) if form.cleaned_data["confirmed"] else None
        if sent is not None:
            messages.info(
                request,
                _("This reply was already sent on %(date)s: it was not sent again.")
                % {"date": date_format(timezone.localtime(sent.created_at), "DATETIME_FORMAT")},
            )
            return htmx_redirect(request, f"{detail}?envoye=1")
        # Keep the agent's text, against the case as it is now: they read, then send again.
        data = request.POST.copy()
        data["version"] = str(case.version)
        data["confirmed"] = ""
        stale_form = ReplyForm(data)
        stale_form.is_valid()
        stale_form.add_error(
            None,
            _(
                "This case changed since you opened it (see the timeline). Your text is kept "
                "below: check it before sending."
            ),
        )
        return _render_composer(
            request,
            case,
            status=409,
            reply_form=stale_form,
            stale=True,
            reply_attachments=pending_attachments(
                case=case, actor=request.user, token=form.cleaned_data["attachment_token"]
            ),
        )
    # --- reply attachments (cases/services/reply_attachments.py) ---
    token = form.cleaned_data["attachment_token"]
    attachment_ids = [int(v) for v in request.POST.getlist("attachment_ids") if v.isdigit()]
    if request.POST.get("edit"):
        pending = pending_attachments(case=case, actor=request.user, token=token)
        edit_form = ReplyForm(initial={"body": body, "version": version, "attachment_token": token})
        return _render_composer(
            request, case, reply_form=edit_form, editing=True, reply_attachments=pending
        )
    if services.reply_says_nothing(case, body):
        # Refused at the preview already: the usager would get a letter with nothing in it.
        # The files already attached stay attached (the form keeps their token and ticks).
        form.add_error("body", services.NOTHING_SAID)
        return _render_composer(
            request,
            case,
            status=400,
            reply_form=form,
            reply_attachments=pending_attachments(case=case, actor=request.user, token=token),
        )
    if not form.cleaned_data["confirmed"]:
        try:
            token, pending = reply_attachments_prepare(
                case=case,
                actor=request.user,
                token=token,
                keep=set(attachment_ids),
                files=uploaded_files(request.FILES.getlist("attachments")[:100]),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            pending = pending_attachments(case=case, actor=request.user, token=token)
            return render_case(
                request, case, status=400, reply_form=form, reply_attachments=pending
            )
        # The preview shows exactly what is sent: citation markers are never sent; the agent is
        # told when some were taken off, and when a masked detail is still in the text.
        notices = []
        stripped = strip_citation_markers(body)
        if stripped != body:
            notices.append(
                _(
                    "The references in square brackets ([1], [2]…) were taken off: they are "
                    "never sent."
                )
            )
        if MASKED_RE.search(stripped):
            notices.append(
                _(
                    "The reply still holds a masked detail, such as “(téléphone masqué)”: replace "
                    "it with the right information, or remove it, before sending."
                )
            )
        body = stripped
        confirm_form = ReplyForm(
            initial={
                "body": body,
                "version": version,
                "confirmed": True,
                "attachment_token": token,
            }
        )
        return _render_composer(
            request,
            case,
            reply_form=confirm_form,
            confirming=True,
            reply_attachments=pending,
            preview_notices=notices,
        )
    # --- end reply attachments ---
    try:
        services.case_send_reply(
            actor=request.user,
            case=case,
            body=body,
            expected_version=version,
            attachment_token=token,
            attachment_ids=attachment_ids,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field == "body" else None, errors)
        return _render_composer(
            request,
            case,
            status=409 if "version" in exc.message_dict else 400,
            reply_form=form,
            reply_attachments=pending_attachments(case=case, actor=request.user, token=token),
        )
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("Reply sent to the usager. The case is answered."))
    return htmx_redirect(request, f"{detail}?envoye=1")
