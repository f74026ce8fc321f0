"""The administrators' audit journal: the page (filters, keyset pages) and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .audit import (
    AuditFilterForm,
    JournalScope,
    action_label,
    category_label,
    csv_header,
    describe,
    entry_row,
    journal_scope,
)
from .selectors import audit_actions, audit_entries, audit_page

PAGE_SIZE = 50
CURSOR_PARAM = "apres"
# Rows fetched per round trip while streaming the export.
EXPORT_CHUNK = 2000


def parse_cursor(value: str) -> tuple[dt.datetime, int] | None:
    """``<ISO datetime>_<id>`` as written by ``format_cursor``; None when malformed."""
    created, _sep, pk = value.rpartition("_")
    try:
        parsed = parse_datetime(created) if created else None
    except ValueError:  # well-formed but impossible (month 13)
        return None
    if parsed is None or not pk.isdigit():
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed, int(pk)


def format_cursor(cursor: tuple[dt.datetime, int]) -> str:
    return f"{cursor[0].isoformat()}_{cursor[1]}"


def _scope_and_form(request: HttpRequest) -> tuple[JournalScope, AuditFilterForm]:
    scope = journal_scope(request.user, request.administration, request.GET.get("administration"))
    form = AuditFilterForm(
        request.GET,
        actions=audit_actions(request.user, scope.administration),
        administrations=scope.choices,
    )
    return scope, form


def _administration(scope: JournalScope, form: AuditFilterForm):
    if scope.national:
        return form.cleaned_data.get("administration")
    return scope.administration


@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
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
        for entry in rows:
            entry.category_text = category_label(entry.category)
            entry.action_text = action_label(entry.action)
            entry.details = [detail.short() for detail in describe(entry.data)]
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


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer (Django docs)."""

    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: str) -> str:
    # A cell starting like a formula is neutralised: spreadsheets would evaluate it.
    return "'" + value if value.startswith(_FORMULA_START) else value


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """Every entry matching the filters (not only the page shown), as a streamed CSV."""
    scope, form = _scope_and_form(request)
    if not form.is_valid():
        # The page says what is wrong with the filters.
        return redirect(f"{reverse('accounts:audit')}?{request.GET.urlencode()}")
    administration = _administration(scope, form)
    qs = audit_entries(request.user, administration, form.filters())
    with_administration = scope.national
    if with_administration:
        qs = qs.select_related("administration")
    language = translation.get_language()
    writer = csv.writer(_Echo())

    def lines():
        # The body is written after the view returns: keep the request's language.
        with translation.override(language):
            yield "\ufeff" + writer.writerow(csv_header(with_administration=with_administration))
            for entry in qs.iterator(chunk_size=EXPORT_CHUNK):
                row = entry_row(entry, with_administration=with_administration)
                yield writer.writerow([row[0], *(_safe_cell(cell) for cell in row[1:])])

    name = slugify(administration.slug if administration else "national") or "journal"
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journal-{name}-{stamp}.csv"'
    return response
