"""Administrators' pages: members (list, invitation, role, deactivation, CSV import)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Q, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from .. import imports, services
from ..access import AuthenticatedHttpRequest, administration_for, requires
from ..forms import InviteForm, MemberForm, MembersImportForm
from ..models import Enrolment, Membership, Role
from ..permissions import MANAGE_MEMBERS
from ..spreadsheets import ExportFormatError, download

IMPORT_SESSION_KEY = "members_import"


def _membership_or_404(request: HttpRequest, pk: int) -> Membership:
    """A membership of the current administration; another administration's is 'not there'."""
    administration = administration_for(request, MANAGE_MEMBERS)
    membership = (
        Membership.objects.select_related("user", "administration")
        .filter(pk=pk, administration=administration)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _filtered_members(request: HttpRequest, administration) -> tuple[Any, dict[str, str]]:
    """The administration's memberships matching the list's filters (page and export)."""
    # Sorted by the names shown (Membership.shown_names): a pending invitation takes its place
    # from the names typed, never from the person's account.
    shown_last = Case(When(pending=True, then="invited_last_name"), default="user__last_name")
    shown_first = Case(When(pending=True, then="invited_first_name"), default="user__first_name")
    rows = (
        Membership.objects.filter(administration=administration)
        .select_related("user")
        .order_by("-is_active", shown_last, shown_first, "user__email")
    )
    q = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    state = request.GET.get("state", "")
    if q:
        rows = rows.filter(
            Q(user__email__icontains=q)
            # A pending invitation says nothing about the person: found by the names typed
            # with it, not by their own.
            | Q(user__first_name__icontains=q, pending=False)
            | Q(user__last_name__icontains=q, pending=False)
            | Q(invited_first_name__icontains=q)
            | Q(invited_last_name__icontains=q)
            | Q(team__icontains=q)
        )
    if role in Role.values:
        rows = rows.filter(role=role)
    if state == "active":
        rows = rows.filter(is_active=True)
    elif state == "inactive":
        rows = rows.filter(is_active=False)
    return rows, {"q": q, "role": role, "state": state}


def _enrolment_labels(administration, user_ids) -> dict[int, str]:
    labels = dict(Enrolment.Status.choices)
    return {
        user_id: str(labels[status])
        for user_id, status in Enrolment.objects.filter(
            administration=administration, status__in=Enrolment.LIVE, user_id__in=user_ids
        ).values_list("user_id", "status")
    }


@requires(MANAGE_MEMBERS)
def members(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_MEMBERS)
    rows, filters = _filtered_members(request, administration)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    live = _enrolment_labels(administration, [m.user_id for m in page.object_list])
    for membership in page.object_list:
        membership.enrolment_label = live.get(membership.user_id, "")
        membership.invitation_pending = _invitation_pending(membership)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_invite(
                actor=request.user, administration=administration, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        except PermissionDenied:
            raise
        else:
            messages.success(
                request,
                _("%(email)s is invited: an e-mail with a link to sign in was sent.")
                % {"email": membership.user.email},
            )
            return redirect("accounts:members")
    return render(
        request,
        "accounts/members.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "export_query": urlencode({k: v for k, v in filters.items() if v}),
            "roles": Role.choices,
            "proconnect": settings.PROCONNECT_ENABLED,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(MANAGE_MEMBERS)
def member_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    form = MemberForm(
        request.POST or None, initial={"role": membership.role, "team": membership.team}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                team=form.cleaned_data["team"],
            )
        except ValidationError as exc:
            form.add_error("role", _errors(exc))
        else:
            messages.success(request, _("%(email)s is updated.") % {"email": membership.user.email})
            return redirect("accounts:members")
    return render(
        request,
        "accounts/member_edit.html",
        {"membership": membership, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _invitation_pending(membership: Membership) -> bool:
    """An active member who never signed in (made active at once, before invitations waited
    for their person)."""
    return not membership.user.has_usable_password() and membership.user.last_login is None


def _state_label(membership: Membership) -> str:
    if membership.pending:
        return _("Invitation sent")
    if not membership.is_active:
        return _("Deactivated")
    return _("Invitation sent") if _invitation_pending(membership) else _("Active")


@requires(MANAGE_MEMBERS)
@require_GET
def members_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The members list with its filters, as CSV (French spreadsheet software) or XLSX."""
    administration = administration_for(request, MANAGE_MEMBERS)
    rows, _filters = _filtered_members(request, administration)
    memberships = list(rows)
    live = _enrolment_labels(administration, [m.user_id for m in memberships])
    header = [
        _("Last name"),
        _("First name"),
        _("E-mail address"),
        _("Role"),
        _("Team"),
        _("Volunteering"),
        _("State"),
    ]
    table = [
        [
            m.shown_names[1],
            m.shown_names[0],
            m.user.email,
            m.get_role_display(),
            m.team,
            live.get(m.user_id, ""),
            _state_label(m),
        ]
        for m in memberships
    ]
    fmt = request.GET.get("format", "csv")
    try:
        return download(
            name=f"membres-{administration.slug}-{timezone.localdate().isoformat()}",
            title=_("Members"),
            header=header,
            rows=table,
            fmt=fmt,
        )
    except ExportFormatError:
        return HttpResponseBadRequest(
            _("Unknown export format: choose csv or xlsx."), content_type="text/plain"
        )


@requires(MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def member_set_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Reactivating is one click; deactivating (the person is signed out, their cases go back to
    the queue, their tokens stop) asks first: GET shows what will happen, and only a POST that
    carries the confirmation acts."""
    membership = _membership_or_404(request, pk)
    active = request.POST.get("active") == "1"
    if request.method == "GET" or (not active and request.POST.get("confirm") != "1"):
        if membership.pending:
            return _confirm_withdrawal(request, membership)
        if not membership.is_active:
            return redirect("accounts:members")
        email = membership.user.email
        return render(
            request,
            "components/confirm.html",
            {
                "title": _("Deactivate %(name)s?") % {"name": membership.shown_display_name},
                "consequences": [
                    _(
                        "%(email)s will be signed out at once and can no longer sign in to this "
                        "administration. Their open cases go back to the queue, unassigned, and "
                        "the API tokens they created stop working."
                    )
                    % {"email": email},
                    _(
                        "The journal keeps everything they did. You can reactivate them later, "
                        "but their cases will not come back to them by themselves."
                    ),
                ],
                "action": request.path,
                "fields": {"active": "0"},
                "confirm_label": _("Yes, deactivate %(email)s") % {"email": email},
                "confirm_id": "confirm-deactivate",
                "cancel_url": reverse("accounts:members"),
                "back_label": _("Members"),
                "confirmation_missing": request.method == "POST",
            },
            status=400 if request.method == "POST" else 200,
        )
    try:
        services.membership_set_active(membership=membership, active=active, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if membership.pending:
            messages.success(
                request,
                _("The invitation of %(email)s is withdrawn.") % {"email": membership.user.email},
            )
        elif active:
            messages.success(
                request, _("%(email)s is active again.") % {"email": membership.user.email}
            )
        else:
            messages.success(
                request,
                _(
                    "%(email)s is deactivated: signed out now, and their open cases are back "
                    "in the queue."
                )
                % {"email": membership.user.email},
            )
    # Back to the list as it was filtered (reactivating from "Deactivated" stays there).
    back = request.POST.get("back", "")
    if back.startswith(reverse("accounts:members") + "?") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, request.is_secure()
    ):
        return redirect(back)
    return redirect("accounts:members")


def _confirm_withdrawal(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    """An invitation still waiting for its person: withdrawing it is what deactivating does."""
    email = membership.user.email
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Withdraw the invitation of %(email)s?") % {"email": email},
            "consequences": [
                _(
                    "The invitation sent to %(email)s will no longer give access to this "
                    "administration. You can invite them again later."
                )
                % {"email": email}
            ],
            "action": request.path,
            "fields": {"active": "0"},
            "confirm_label": _("Yes, withdraw the invitation"),
            "confirm_id": "confirm-withdraw",
            "cancel_url": reverse("accounts:members"),
            "back_label": _("Members"),
            "confirmation_missing": request.method == "POST",
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(MANAGE_MEMBERS)
def members_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload → preview with every row's errors → confirm: all rows are invited, or none."""
    administration = administration_for(request, MANAGE_MEMBERS)
    preview = None
    form = MembersImportForm()
    status = 200
    if request.method == "POST" and request.POST.get("confirm"):
        text = request.session.get(IMPORT_SESSION_KEY, {}).get(str(administration.pk))
        if not text:
            messages.error(request, _("The file to import has expired: upload it again."))
            return redirect("accounts:members_import")
        try:
            created = services.members_import(
                actor=request.user, administration=administration, text=text
            )
        except ValidationError as exc:
            preview = imports.parse(text, administration=administration)
            messages.error(request, _("Nothing was imported: ") + _errors(exc))
            status = 400
        else:
            request.session.pop(IMPORT_SESSION_KEY, None)
            messages.success(
                request,
                ngettext(
                    "%(count)s member was invited.", "%(count)s members were invited.", len(created)
                )
                % {"count": len(created)},
            )
            return redirect("accounts:members")
    elif request.method == "POST":
        form = MembersImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                text = imports.decode(form.cleaned_data["file"].read(imports.MAX_BYTES + 1))
            except ValidationError as exc:
                form.add_error("file", exc)
                status = 400
            else:
                preview = imports.parse(text, administration=administration)
                if preview.ok:
                    request.session[IMPORT_SESSION_KEY] = {str(administration.pk): text}
                else:
                    status = 400
        else:
            status = 400
    return render(
        request,
        "accounts/members_import.html",
        {"form": form, "preview": preview},
        status=status,
    )
