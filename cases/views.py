"""The agent workspace: home, inbox and the case page. Views parse, call a service or a
selector, and render; the rules live in services/, selectors.py and permissions.py (the case
policy: which buttons show is what the services allow).

The composer (the reply's preview, attachments and sending) is its own room, cases/composer/;
it renders the case page with ``get_case``, ``case_context`` and ``render_case`` from here."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import AuthenticatedHttpRequest, current_administration, may, signed_in
from accounts.middleware import SESSION_KEY
from accounts.models import Administration, Enrolment, Membership
from accounts.permissions import ASSIGN_CASES, WORK_CASES
from accounts.selectors import administrations_of, member_of

from . import presence, selectors, services
from .composer.forms import ReplyForm
from .counter.services import AnswerGiven, answer_given_default
from .dashboard.drilldown import describe_drill_down
from .delivery.services import delivery_retry as delivery_retry_service
from .delivery.services import delivery_route
from .forms import AssignForm, InboxFilterForm, NoteForm, TransferForm, TransitionForm
from .history import usager_other_cases
from .inbox_rows import inbox_rows
from .models import OPEN_STATUSES, Attachment, Case, CaseEvent, Delivery, Status
from .permissions import STATUS_ABILITIES, Ability, case_abilities, require_ability
from .transitions import TRANSITIONS

PAGE_SIZE = 50
# The inbox query the agent last looked at ("the box they came from"): **Suivant** opens the
# next case of it.
INBOX_QUERY_KEY = "cases_inbox_query"


@signed_in
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Signed-in home: the counts of the current administration's boxes."""
    administration = request.administration
    counts = {}
    volunteer_invitation = None
    if administration:
        counts = _box_counts(request.user, administration, mine_overdue=True)
        # An agent invited to a cohort answers on their profile: without this line on the page
        # they land on, nothing tells them the invitation is there.
        volunteer_invitation = Enrolment.objects.filter(
            user=request.user, administration=administration, status=Enrolment.Status.INVITED
        ).first()
    return render(
        request,
        "cases/home.html",
        {"counts": counts, "volunteer_invitation": volunteer_invitation},
    )


def _box_counts(user, administration, *, mine_overdue: bool = False) -> dict:
    """The counts on the box tabs (cases/selectors.py: their cost does not grow with the
    administration's history). ``mine_overdue``: the overdue cases among "mine" (the home
    page's tile beside "My open cases" counts the same scope; a narrow index range)."""
    counts = selectors.box_counts(user, administration)
    if mine_overdue:
        counts["mine_overdue"] = Case.objects.filter(
            administration=administration,
            assignee=user,
            status__in=OPEN_STATUSES,
            due_at__lt=timezone.now(),
        ).count()
    return counts


def _cursor_from(value: str) -> tuple[dt.datetime, int] | None:
    due, _sep, pk = value.rpartition("_")
    try:
        parsed = parse_datetime(due) if due else None
    except ValueError:  # well-formed but impossible (month 13): start from the first page
        return None
    if parsed is None or not pk.isdigit():
        return None
    return parsed, int(pk)


def _inbox_filters(
    request: AuthenticatedHttpRequest, query: QueryDict
) -> tuple[InboxFilterForm, selectors.InboxFilters, dict]:
    """The inbox's filters from a query string (the page's, or the one kept for Suivant)."""
    topics = list(selectors.topics_for(request.administration))
    form = InboxFilterForm(query or None, topics=topics)
    # A filter at fault (a stale link's value, a search too long) is said on the page and
    # left out; the others, the box included, still apply.
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    box = data.get("box") or "mine"
    if box == "all" and not may(request, ASSIGN_CASES):
        box = "mine"
    filters = selectors.InboxFilters(
        box=box,
        status=data.get("status") or "",
        channel=data.get("channel") or "",
        topic_id=data.get("topic"),
        priority=data.get("priority"),
        overdue=bool(data.get("overdue")),
        q=(data.get("q") or "").strip(),
        assignee_id=data.get("assignee"),
        unassigned=bool(data.get("unassigned")),
        open_only=bool(data.get("open")),
        due_soon=bool(data.get("due_soon")),
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        answered_from=data.get("answered_from"),
        answered_to=data.get("answered_to"),
        rating=data.get("rating"),
        surveyed_from=data.get("surveyed_from"),
        surveyed_to=data.get("surveyed_to"),
    )
    return form, filters, data


@signed_in  # without an administration, back to the home page
@require_GET
@never_cache  # Back shows the list as it is now, not the browser's copy
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = request.administration
    if not administration:
        return redirect("home")
    form, filters, data = _inbox_filters(request, request.GET)
    box = filters.box
    can_see_all = may(request, ASSIGN_CASES)
    kept = request.GET.copy()
    kept.pop("apres", None)
    for name in form.errors:  # a filter at fault is not carried on to the next pages
        kept.pop(name, None)
    came_from = {"administration": administration.pk, "query": kept.urlencode()}
    if request.session.get(INBOX_QUERY_KEY) != came_from:
        request.session[INBOX_QUERY_KEY] = came_from
    drill_down = any(data.get(name) for name in InboxFilterForm.DRILL_DOWN)
    after = _cursor_from(request.GET.get("apres", ""))
    now = timezone.now()
    values, cursor = selectors.inbox_page(
        selectors.inbox(request.user, administration, filters).values(*selectors.ROW_VALUES),
        after=after,
        size=PAGE_SIZE,
    )
    next_url = None
    if cursor is not None:
        next_params = kept.copy()
        next_params["apres"] = f"{cursor[0].isoformat()}_{cursor[1]}"
        next_url = f"{reverse('cases:inbox')}?{next_params.urlencode()}"
    return render(
        request,
        "cases/inbox.html",
        {
            "form": form,
            "box": box,
            "rows": inbox_rows(values, now=now),
            "next_url": next_url,
            "first_url": f"{reverse('cases:inbox')}?{kept.urlencode()}",
            "is_first_page": after is None,
            "counts": _box_counts(request.user, administration),
            "can_see_all": can_see_all,
            # The dashboard figure this list comes from, and its filter, in words.
            "drill_down": describe_drill_down(data, administration) if drill_down else "",
            "can_work": may(request, WORK_CASES),
        },
    )


def _kept_inbox_query(request: AuthenticatedHttpRequest) -> QueryDict:
    kept = request.session.get(INBOX_QUERY_KEY) or {}
    if kept.get("administration") != request.administration.pk:
        return QueryDict("")
    return QueryDict(kept.get("query") or "")


@signed_in  # without an administration, back to the home page
@require_GET
def case_next(request: AuthenticatedHttpRequest) -> HttpResponse:
    """**Suivant**: the case after ``depuis`` in the box the agent came from (the first one
    again at the end; the box itself once it is empty)."""
    administration = request.administration
    if not administration:
        return redirect("home")
    query = _kept_inbox_query(request)
    _form, filters, _data = _inbox_filters(request, query)
    # The next case's id, nothing else.
    qs = selectors.inbox(request.user, administration, filters).values_list("pk", flat=True)
    after = request.GET.get("depuis", "")
    following = None
    if after.isdigit():
        current = Case.objects.filter(pk=int(after)).values("due_at", "pk").first()
        qs = qs.exclude(pk=int(after))
        if current is not None:
            following = qs.filter(
                Q(due_at__gt=current["due_at"]) | Q(due_at=current["due_at"], pk__gt=current["pk"])
            ).first()
    following = following or qs.first()
    if following is None:
        messages.info(request, _("No other case in this box."))
        return redirect(f"{reverse('cases:inbox')}?{query.urlencode()}")
    return redirect("cases:detail", pk=following)


def get_case(request: HttpRequest, pk: int) -> Case:
    try:
        return selectors.case_get(request.user, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc


def _can_use_answer_bank(request: HttpRequest, case: Case) -> bool:
    # The bank's pages act in the current administration: only its cases offer them.
    current = current_administration(request)
    return (
        current is not None
        and current.pk == case.administration_id
        and may(request, WORK_CASES, current)
    )


def case_context(request: HttpRequest, case: Case, **forms) -> dict:
    user = request.user
    administration = case.administration
    abilities = case_abilities(user, case)
    actions = [
        (ability.value, TRANSITIONS[ability.value].label)
        for ability in STATUS_ABILITIES
        if ability in abilities
    ]
    agents = []
    if Ability.ASSIGN in abilities:
        agents = list(
            Membership.objects.filter(
                administration=administration, is_active=True, user__is_active=True
            )
            .exclude(role="administrator")
            .select_related("user")
            .order_by("user__last_name")
        )
    timeline = list(selectors.case_timeline(case))
    notes = list(case.notes.select_related("author"))
    replies = list(
        case.replies.select_related("author", "delivery").prefetch_related("attachments")
    )
    # An answer given at the counter or on the phone: its journal line says how (no delivery).
    given = {
        event.data.get("reply_id"): event.data["given"]
        for event in timeline
        if event.kind == CaseEvent.Kind.REPLY_SENT and event.data.get("given")
    }
    for reply in replies:
        reply.given = given.get(reply.pk, "")  # type: ignore[attr-defined]
    if replies and not case.usager_email:
        # The satisfaction survey follows the first reply by e-mail (cases/survey/): without an
        # address none could be sent, which the agent sees under that reply.
        replies[0].no_survey = True  # type: ignore[attr-defined]
    can_reply = Ability.REPLY in abilities
    return {
        "case": case,
        "timeline": timeline,
        "notes": notes,
        "replies": replies,
        "abilities": abilities,
        "actions": actions,
        "can_work": Ability.NOTE in abilities,
        "can_take": Ability.TAKE in abilities,
        "can_reply": can_reply,
        # No channel endpoint and no e-mail: the answer can only be given in person or by
        # phone, and recorded (cases/counter/).
        "can_deliver": can_reply and delivery_route(case) != Delivery.Backend.NONE,
        "answer_given_choices": AnswerGiven.choices,
        "answer_given": (
            forms["answer_given_form"]["given"].value()
            if forms.get("answer_given_form")
            else answer_given_default(case)
        ),
        "answer_given_errors": (
            forms["answer_given_form"].errors.get("given", [])
            if forms.get("answer_given_form")
            else []
        ),
        "can_transfer": Ability.TRANSFER in abilities,
        # The first administration on Guichet has nobody to transfer to: the page says so
        # instead of a list with nothing in it.
        "transfer_has_targets": Ability.TRANSFER in abilities
        and Administration.objects.exclude(pk=administration.pk).exists(),
        "can_assign": Ability.ASSIGN in abilities,
        "agents": agents,
        # The usager's files (an agent's are listed under their reply).
        "attachments": list(case.attachments.filter(reply__isnull=True, pending_token="")),
        "reply_attachments": forms.get("reply_attachments", []),
        "reply_attachment_max_files": settings.INTAKE_ATTACHMENT_MAX_FILES,
        "reply_attachment_max_mb": settings.INTAKE_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "can_retry_delivery": Ability.RETRY_DELIVERY in abilities,
        # The answer bank (drafting's pages, reached from this page by URL only): its picker
        # in the composer, and "Mark as model answer" on sent replies.
        "can_use_answer_bank": _can_use_answer_bank(request, case),
        "others": presence.others(case.pk, user.pk),
        "usager_history": usager_other_cases(case),
        "now": timezone.now(),
        "note_form": forms.get("note_form") or NoteForm(),
        "reply_form": forms.get("reply_form")
        or ReplyForm(initial={"version": case.version, "body": selectors.reply_skeleton(case)}),
        "reply_skeleton": selectors.reply_skeleton(case),
        "transfer_form": forms.get("transfer_form")
        or TransferForm(current=administration, initial={"version": case.version}),
        "confirming": forms.get("confirming", False),
        "preview_notices": forms.get("preview_notices", []),
        "editing": forms.get("editing", False),
        "stale": forms.get("stale", False),
        # Just sent (the redirect of the send): the focus goes to **Suivant**.
        "just_sent": request.GET.get("envoye") == "1" and not case.is_open,
    }


@signed_in  # the case policy decides (404 for a case one may not see)
@require_GET
@never_cache  # Back after sending shows the case as it is now (answered), not the composer
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    current = current_administration(request)
    if (current is None or current.pk != case.administration_id) and administrations_of(
        request.user
    ).filter(pk=case.administration_id).exists():
        # A case of another of the user's administrations (a link, a bookmark): work in it,
        # and say so; the header of this very page already names it.
        request.session[SESSION_KEY] = case.administration_id
        request.administration = case.administration
        messages.info(
            request,
            _(
                "This case belongs to %(name)s: you are now working in %(name)s (change it "
                "at the top of the page)."
            )
            % {"name": case.administration.name},
        )
    if case.assignee_id == request.user.pk and case.first_opened_at is None:
        case = services.case_mark_opened(actor=request.user, case=case)
    presence.touch(case.pk, request.user.pk, request.user.display_name)
    return render(request, "cases/case_detail.html", case_context(request, case))


@signed_in  # the case policy decides (404 for a case one may not see)
@require_GET
def case_presence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    presence.touch(case.pk, request.user.pk, request.user.display_name)
    return render(
        request,
        "cases/_presence.html",
        {"case": case, "others": presence.others(case.pk, request.user.pk)},
    )


def _apply(request: HttpRequest, case: Case, action, success: str) -> HttpResponse:
    """Run a service; errors become messages; always back to the case page."""
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You are not allowed to do this."))
    else:
        messages.success(request, success)
    return redirect("cases:detail", pk=case.pk)


@signed_in
@require_POST
def case_take(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    return _apply(
        request,
        case,
        lambda: services.case_take(actor=request.user, case=case),
        _("The case is yours."),
    )


@signed_in
@require_POST
def case_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("cases:detail", pk=case.pk)
    action = form.cleaned_data["action"]
    return _apply(
        request,
        case,
        lambda: services.case_transition(
            actor=request.user,
            case=case,
            action=action,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        # The result in words ("The case is now: Closed."), not the button's verb.
        _("The case is now: %(status)s.")
        % {"status": Status(TRANSITIONS[action].target).label if action in TRANSITIONS else action},
    )


@signed_in
@require_POST
def case_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an agent."))
        return redirect("cases:detail", pk=case.pk)
    # Only among the case's administration's members: an id from elsewhere gets the same
    # answer as an unknown one, never that person's name.
    assignee = member_of(case.administration, form.cleaned_data["assignee"])
    if assignee is None:
        messages.error(request, _("Choose an agent."))
        return redirect("cases:detail", pk=case.pk)
    return _apply(
        request,
        case,
        lambda: services.case_give(
            actor=request.user,
            case=case,
            assignee=assignee,
            expected_version=form.cleaned_data["version"],
        ),
        _("Case assigned to %(name)s.") % {"name": assignee.display_name},
    )


def render_case(request, case, status=200, **forms) -> HttpResponse:
    return render(
        request, "cases/case_detail.html", case_context(request, case, **forms), status=status
    )


@signed_in
@require_POST
def case_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render_case(request, case, status=400, note_form=form)
    try:
        services.case_add_note(actor=request.user, case=case, body=form.cleaned_data["body"])
    except ValidationError as exc:
        form.add_error("body", exc.messages[0])
        return render_case(request, case, status=400, note_form=form)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("Note added."))
    return redirect("cases:detail", pk=case.pk)


@signed_in
@require_POST
def case_transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case(request, pk)
    form = TransferForm(request.POST, current=case.administration)
    if not form.is_valid():
        return render_case(request, case, status=400, transfer_form=form)
    try:
        services.case_transfer(
            actor=request.user,
            case=case,
            target_administration=form.cleaned_data["target"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error("reason" if field == "reason" else None, errors)
        return render_case(request, case, status=400, transfer_form=form)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(
        request,
        _("Case transferred to %(name)s.") % {"name": form.cleaned_data["target"].name},
    )
    return redirect("cases:inbox")


@signed_in
@require_POST
def delivery_retry(request: AuthenticatedHttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    """A manager sends a failed reply delivery again."""
    case = get_case(request, pk)
    delivery = Delivery.objects.filter(pk=delivery_pk, reply__case=case).first()
    if delivery is None:
        raise Http404(_("No such delivery."))
    require_ability(request.user, case, Ability.RETRY_DELIVERY)
    return _apply(
        request,
        case,
        lambda: delivery_retry_service(actor=request.user, delivery=delivery),
        _("The reply will be sent again."),
    )


@signed_in
@require_GET
def attachment_download(
    request: AuthenticatedHttpRequest, pk: int, attachment_pk: int
) -> HttpResponse:
    """An attachment of a case the user may see, always as a download (never rendered)."""
    case = get_case(request, pk)
    attachment = Attachment.objects.filter(pk=attachment_pk, case=case).first()
    # A reply's file still pending (the preview) is its agent's only.
    if attachment is None or (
        attachment.pending_token and attachment.uploaded_by_id != request.user.pk
    ):
        raise Http404(_("No such attachment."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("No such attachment.")) from exc
    extension = attachment.file.name.rpartition(".")[2]
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{case.reference}-{attachment.pk}.{extension}",
        content_type=attachment.content_type,
    )
