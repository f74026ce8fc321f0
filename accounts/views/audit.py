"""The administrators' audit journal: the page (filters, keyset pages) and its CSV export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from ..access import AuthenticatedHttpRequest, ReportScope, requires
from ..audit import (
    EXPORT_FIELDS,
    PAGE_SIZE,
    AuditFilterForm,
    Words,
    csv_header,
    entry_row,
    format_cursor,
    journal_scope,
    parse_cursor,
)
from ..permissions import VIEW_AUDIT
from ..selectors import audit_actions, audit_entries, audit_page
from ..spreadsheets import streaming_csv

CURSOR_PARAM = "apres"
# Rows fetched per round trip while streaming the export.
EXPORT_CHUNK = 2000


def _scope_and_form(request: HttpRequest) -> tuple[ReportScope, AuditFilterForm]:
    scope = journal_scope(request, request.GET.get("administration"))
    form = AuditFilterForm(
        request.GET,
        actions=audit_actions(request.user, scope.administration),
        administrations=scope.choices,
    )
    return scope, form


def _administration(scope: ReportScope, form: AuditFilterForm):
    if scope.national:
        return form.cleaned_data.get("administration")
    return scope.administration


@requires(VIEW_AUDIT, tenant_first=True)
@require_GET
def audit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The journal of membership, volunteer, experiment, settings, knowledge and access changes."""
    scope, form = _scope_and_form(request)
    params = request.GET.copy()
    params.pop(CURSOR_PARAM, None)
    rows: list = []
    next_url = None
    valid = form.is_valid()
    if valid:
        qs = audit_entries(request.user, _administration(scope, form), form.filters())
        if scope.national:
            qs = qs.select_related("administration")
        after = parse_cursor(request.GET.get(CURSOR_PARAM, ""))
        rows, cursor = audit_page(qs, after=after, size=PAGE_SIZE)
        words = Words()
        for entry in rows:
            entry.category_text = words.category(entry.category)
            entry.action_text = words.action(entry.action)
            entry.target_text = words.target(entry.target_label, entry.data)
            entry.details = [
                detail.short() for detail in words.describe(entry.data, identifiers=False)
            ]
        if cursor is not None:
            next_params = params.copy()
            next_params[CURSOR_PARAM] = format_cursor(cursor)
            next_url = f"{reverse('accounts:audit')}?{next_params.urlencode()}"
    query = params.urlencode()
    return render(
        request,
        "accounts/audit.html",
        {
            "form": form,
            "valid": valid,
            "rows": rows,
            "national": scope.national,
            "next_url": next_url,
            "first_url": f"{reverse('accounts:audit')}?{query}",
            "is_first_page": CURSOR_PARAM not in request.GET,
            "export_url": f"{reverse('accounts:audit_export')}?{query}",
            "reset_url": reverse("accounts:audit"),
            "page_size": PAGE_SIZE,
        },
        status=200 if valid else 400,
    )


@requires(VIEW_AUDIT, tenant_first=True)
@require_GET
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every entry matching the filters (not only the page shown), as a streamed CSV."""
    scope, form = _scope_and_form(request)
    if not form.is_valid():
        # The page says what is wrong with the filters.
        return redirect(f"{reverse('accounts:audit')}?{request.GET.urlencode()}")
    administration = _administration(scope, form)
    with_administration = scope.national
    fields = [f for f in EXPORT_FIELDS if with_administration or f != "administration__name"]
    qs = audit_entries(request.user, administration, form.filters()).values(*fields)
    language = translation.get_language()

    def rows():
        # The body is written after the view returns: keep the request's language.
        with translation.override(language):
            words, tz = Words(), timezone.get_current_timezone()
            for entry in qs.iterator(chunk_size=EXPORT_CHUNK):
                yield entry_row(entry, words=words, tz=tz, with_administration=with_administration)

    name = slugify(administration.slug if administration else "national") or "journal"
    stamp = timezone.localdate().isoformat()
    with translation.override(language):
        header = csv_header(with_administration=with_administration)
    return streaming_csv(name=f"journal-{name}-{stamp}", header=header, rows=rows())
