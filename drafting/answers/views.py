"""Pages of the answer bank. Agents list, search and write model answers, mark a sent reply
as one, and pick one in the composer; managers and administrators edit and retire them.

The administration is the session's; another administration's answer or reply is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, administration_for, may, requires
from accounts.permissions import VIEW_CASES, WORK_CASES
from cases.models import Case, Reply
from cases.selectors import case_get

from . import selectors, services
from .forms import BankAnswerForm, FromReplyForm
from .models import BankAnswer

PER_PAGE = 50
PICKER_LIMIT = 8


def _answer(request: HttpRequest, pk: int) -> BankAnswer:
    administration = administration_for(request)
    try:
        return selectors.bank_answer_get(request.user, administration, pk)
    except BankAnswer.DoesNotExist as exc:
        raise Http404 from exc


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@requires(VIEW_CASES)
@require_GET
def answer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, VIEW_CASES)
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("type", "")
    kind = kind if kind in BankAnswer.Kind.values else ""
    status = request.GET.get("etat", BankAnswer.Status.ACTIVE)
    status = status if status in BankAnswer.Status.values else BankAnswer.Status.ACTIVE
    answers = selectors.bank_search(administration, q=q, kind=kind, status=status)
    page = Paginator(answers, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "drafting/answers/list.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "status": status,
            "kinds": BankAnswer.Kind.choices,
            "can_manage": may(request, services.MANAGE_ANSWERS),
            "can_write": may(request, WORK_CASES),
            # Nothing listed although the bank holds answers (all retired, say): the filters.
            "filtered": bool(q or kind or status != BankAnswer.Status.ACTIVE)
            or BankAnswer.objects.filter(administration=administration).exists(),
            "reopen_days": selectors.bank_settings().reopen_days,
        },
    )


@requires(WORK_CASES)
@require_http_methods(["GET", "POST"])
def answer_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, WORK_CASES)
    form = BankAnswerForm(request.POST or None, administration=administration)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_answer_create(
                actor=request.user, administration=administration, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The model answer was saved."))
            return redirect("drafting:answers:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "drafting/answers/form.html", {"form": form}, status=status)


@requires(services.MANAGE_ANSWERS)
@require_http_methods(["GET", "POST"])
def answer_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    answer = _answer(request, pk)
    initial = {"question": answer.question, "answer": answer.answer, "topic": answer.topic}
    form = BankAnswerForm(
        request.POST or None, initial=initial, administration=answer.administration
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_answer_update(actor=request.user, bank_answer=answer, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The bank answer was saved."))
            return redirect("drafting:answers:list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "drafting/answers/form.html", {"form": form, "answer": answer}, status=status
    )


@requires(services.MANAGE_ANSWERS)
@require_POST
def answer_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    answer = _answer(request, pk)
    active = request.POST.get("active") == "1"
    services.bank_answer_retire(actor=request.user, bank_answer=answer, active=active)
    messages.success(
        request, _("The answer is offered again.") if active else _("The answer was retired.")
    )
    return redirect("drafting:answers:list")


@requires(WORK_CASES)
@require_POST
def from_reply(request: AuthenticatedHttpRequest, reply_pk: int) -> HttpResponse:
    """ "Mark as model answer" on a sent reply of the case page."""
    administration = administration_for(request, WORK_CASES)
    try:
        reply = selectors.reply_for_bank(request.user, administration, reply_pk)
    except Reply.DoesNotExist as exc:
        raise Http404 from exc
    form = FromReplyForm(request.POST, administration=administration)
    topic = form.cleaned_data.get("topic") if form.is_valid() else None
    try:
        services.bank_answer_from_reply(
            actor=request.user, administration=administration, reply=reply, topic=topic
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The reply is now a model answer."))
    return redirect("cases:detail", reply.case_id)


@requires(WORK_CASES)
@require_GET
def picker(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The composer's picker (htmx): the model answers matching what the agent types, or the
    case's question (``?q=``); an answer is inserted by the page's script."""
    administration = administration_for(request, WORK_CASES)
    q = request.GET.get("q", "").strip()[:2000]
    found: list[tuple[BankAnswer, float | None]] = []
    case_pk = request.GET.get("case", "")
    if case_pk.isdigit() and not q:
        # Opening the picker on a case: the answers close to its question first, then the
        # other model answers (most used first), so that the list is never empty while the
        # bank has answers.
        try:
            case = case_get(request.user, pk=int(case_pk))
        except Case.DoesNotExist as exc:
            raise Http404 from exc
        if case.administration_id != administration.pk:
            raise Http404
        question = f"{case.subject}\n{case.body[:2000]}"
        found = list(
            selectors.bank_candidates(
                administration,
                question,
                k=PICKER_LIMIT,
                kind=BankAnswer.Kind.MODEL,
                min_similarity=0.2,
            )
        )
        seen = {answer.pk for answer, _score in found}
        others = selectors.bank_search(administration, kind=BankAnswer.Kind.MODEL)
        for answer in others[: PICKER_LIMIT + len(seen)]:
            if answer.pk not in seen and len(found) < PICKER_LIMIT:
                found.append((answer, None))
    elif q:
        found = [
            (answer, score)
            for answer, score in selectors.bank_candidates(
                administration, q, k=PICKER_LIMIT, kind=BankAnswer.Kind.MODEL, min_similarity=0.2
            )
        ]
        seen = {answer.pk for answer, _score in found}
        for answer in selectors.bank_search(administration, q=q, kind=BankAnswer.Kind.MODEL)[
            :PICKER_LIMIT
        ]:
            if answer.pk not in seen and len(found) < PICKER_LIMIT:
                found.append((answer, None))
    else:
        found = [
            (answer, None)
            for answer in selectors.bank_search(administration, kind=BankAnswer.Kind.MODEL)[
                :PICKER_LIMIT
            ]
        ]
    return render(request, "drafting/answers/_picker.html", {"found": found, "q": q})


@requires(WORK_CASES)
@require_POST
def picker_used(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent inserted a model answer from the picker: count the use (the most used answers
    are the last evicted). Another administration's answer is 404."""
    answer = _answer(request, pk)
    services.bank_answer_record_use(bank_answer_id=answer.pk)
    return HttpResponse(status=204)
