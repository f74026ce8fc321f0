"""Reading the audit journal: action names in words, details in words, and the filter form.

Services write ``AuditEntry`` rows with a stable machine name (``"membership.role_changed"``)
and a JSON ``data``; this module is the one place that turns them into text for the page, the
CSV export and the API. A new action shows up at once with a readable fallback; adding it to
``ACTION_LABELS`` gives it its French wording.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Administration, AuditEntry, Enrolment, Role
from .permissions import VIEW_AUDIT, has_administration_perm

ACTION_LABELS: dict[str, Promise] = {
    # membership
    "membership.added": _("Member added"),
    "membership.restored": _("Member restored"),
    "membership.invited": _("Member invited"),
    "membership.role_changed": _("Role changed"),
    "membership.team_changed": _("Team changed"),
    "membership.deactivated": _("Member deactivated"),
    "membership.reactivated": _("Member reactivated"),
    "membership.removed": _("Member removed"),
    "membership.imported": _("Members imported from a file"),
    # enrolment (volunteers)
    "enrolment.requested": _("Volunteering requested"),
    "enrolment.approved": _("Volunteer approved"),
    "enrolment.refused": _("Volunteering refused"),
    "enrolment.withdrawn": _("Volunteer withdrew"),
    "enrolment.consent_published": _("Consent text published"),
    "enrolment.quota_changed": _("Volunteer quota changed"),
    "enrolment.invited": _("Invited to a cohort"),
    "enrolment.invitation_accepted": _("Cohort invitation accepted"),
    "enrolment.invitation_declined": _("Cohort invitation declined"),
    "enrolment.cohort_changed": _("Cohort changed"),
    # experiment
    "experiment.started": _("Experiment period started"),
    "experiment.changed": _("Experiment changed"),
    "experiment.stopped": _("Experiment stopped"),
    "experiment.ended": _("Experiment period ended"),
    # settings
    "settings.changed": _("Settings changed"),
    # knowledge
    "knowledge.article_created": _("Article created"),
    "knowledge.article_updated": _("Article updated"),
    "knowledge.article_retired": _("Article retired"),
    "knowledge.article_restored": _("Article restored"),
    "knowledge.imported": _("Knowledge imported"),
    # API access
    "access.token_created": _("API token created"),
    "access.token_revoked": _("API token revoked"),
}

# Keys of ``data`` in words; other keys are shown as written, underscores as spaces.
FIELD_LABELS: dict[str, Promise] = {
    "role": _("role"),
    "team": _("team"),
    "name": _("name"),
    "code": _("reference prefix"),
    "siret": _("SIRET"),
    "signature": _("signature"),
    "closing": _("closing formula"),
    "volunteer_quota": _("volunteer quota"),
    "quota": _("volunteer quota"),
    "status": _("status"),
    "message": _("message"),
    "cohort": _("cohort"),
    "starts_on": _("starts on"),
    "version": _("version"),
    "title": _("title"),
    "reason": _("reason"),
    "scopes": _("scopes"),
    "expires_at": _("expires"),
    "share": _("share of cases with a draft"),
    "assisted_share": _("share of cases with a draft"),
}

# Values in words, for the keys whose values are choices.
VALUE_LABELS: dict[str, Mapping[str, Any]] = {
    "role": dict(Role.choices),
    "status": dict(Enrolment.Status.choices),
}

# Entries per page, on the page and (by default) in the API.
PAGE_SIZE = 50

EMPTY = "—"
# Long texts (a signature, a consent text) are cut on the page; the CSV keeps them whole.
SHORT_VALUE = 160


class Words:
    """The journal's words in the active language.

    Each label is looked up once per ``Words``: an export writes the same few labels
    thousands of times, and every gettext call costs a thread-local lookup.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str], str] = {}

    def _memo_get(self, kind: str, key: str, make: Callable[[], str]) -> str:
        try:
            return self._memo[kind, key]
        except KeyError:
            value = self._memo[kind, key] = make()
            return value

    def gettext(self, msgid: str) -> str:
        return self._memo_get("gettext", msgid, lambda: gettext(msgid))

    def action(self, action: str) -> str:
        """The action in words: its label if known, else a readable form of its name."""
        return self._memo_get("action", action, lambda: self._action(action))

    def _action(self, action: str) -> str:
        label = ACTION_LABELS.get(action)
        if label is not None:
            return str(label)
        prefix, _sep, verb = action.partition(".")
        words = (verb or prefix).replace("_", " ").strip()
        if not words:
            return action
        if verb and prefix in AuditEntry.Category.values:
            return self.gettext("%(category)s: %(action)s") % {
                "category": self.category(prefix),
                "action": words,
            }
        return words[:1].upper() + words[1:]

    def category(self, category: str) -> str:
        return self._memo_get(
            "category",
            category,
            lambda: str(dict(AuditEntry.Category.choices).get(category, category)),
        )

    def field(self, key: str) -> str:
        label = FIELD_LABELS.get(key)
        return self._memo_get(
            "field", key, lambda: str(label) if label is not None else key.replace("_", " ")
        )

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return self.gettext("yes") if value else self.gettext("no")
        choices = VALUE_LABELS.get(key)
        if choices is not None and isinstance(value, str) and value in choices:
            return self._memo_get(f"value:{key}", value, lambda: str(choices[value]))
        if isinstance(value, list | tuple):
            return ", ".join(self.value(key, item) for item in value) or EMPTY
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        return str(value)

    def _change(self, key: str, before: Any, after: Any) -> Detail:
        label, old, new = self.field(key), self.value(key, before), self.value(key, after)
        text = self.gettext("%(label)s: %(before)s → %(after)s") % {
            "label": label,
            "before": old,
            "after": new,
        }
        return Detail(label=label, before=old, after=new, is_change=True, text=text)

    def _plain(self, label: str, value: str) -> Detail:
        text = self.gettext("%(label)s: %(value)s") % {"label": label, "value": value}
        return Detail(label=label, value=value, text=text)

    def describe(self, data: Any) -> list[Detail]:
        """The entry's ``data`` in words.

        Two shapes of change are recognised: ``{"before": {...}, "after": {...}}`` (the keys
        that differ are listed, or all of them when none differs) and ``{"key": {"before": x,
        "after": y}}``. Any other key is shown as a value.
        """
        if not data:
            return []
        if not isinstance(data, dict):
            return [self._plain(self.gettext("details"), self.value("", data))]
        details: list[Detail] = []
        before, after = data.get("before"), data.get("after")
        rest = data
        if isinstance(before, dict) and isinstance(after, dict):
            keys = _ordered_keys(before, after)
            changed = [k for k in keys if before.get(k) != after.get(k)] or keys
            details += [self._change(k, before.get(k), after.get(k)) for k in changed]
            rest = {k: v for k, v in data.items() if k not in ("before", "after")}
        for key, value in rest.items():
            if _is_change(value):
                details.append(self._change(key, value["before"], value["after"]))
            else:
                details.append(self._plain(self.field(key), self.value(key, value)))
        return details

    def details_text(self, data: Any) -> str:
        return " ; ".join(detail.text for detail in self.describe(data))


@dataclass(frozen=True)
class Detail:
    """One line of an entry's details: a value, or a change from ``before`` to ``after``."""

    label: str
    value: str = ""
    before: str = ""
    after: str = ""
    is_change: bool = False
    # The whole line as one text (the CSV and the API); the page composes it from the parts.
    text: str = ""

    def short(self) -> Detail:
        def cut(text: str) -> str:
            return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"

        return replace(self, value=cut(self.value), before=cut(self.before), after=cut(self.after))


def _is_change(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"before", "after"}


def _ordered_keys(*dicts: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for d in dicts:
        keys.extend(k for k in d if k not in keys)
    return keys


# One-off lookups (a page of 50 rows, an API entry).


def action_label(action: str) -> str:
    return Words().action(action)


def category_label(category: str) -> str:
    return Words().category(category)


def describe(data: Any) -> list[Detail]:
    return Words().describe(data)


def details_text(data: Any) -> str:
    return Words().details_text(data)


# --- filters ---------------------------------------------------------------------------------

# Far enough apart for any real journal, near enough that a day's bounds stay datetimes.
_FIRST_DAY = dt.date(2000, 1, 1)
_LAST_DAY = dt.date(9998, 12, 31)


@dataclass(frozen=True)
class AuditFilters:
    category: str = ""
    action: str = ""
    actor: str = ""
    target: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


class AuditFilterForm(forms.Form):
    """The journal's filters (GET), shared by the page, the CSV export and the API."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, strip=True)
    category = forms.ChoiceField(label=_("Category"), required=False)
    # Any action name filters (other modules add actions); the list only helps choose one.
    action = forms.CharField(label=_("Action"), required=False, max_length=60, widget=forms.Select)
    actor = forms.CharField(
        label=_("By (e-mail contains)"), required=False, max_length=254, strip=True
    )
    target = forms.CharField(
        label=_("Subject contains"), required=False, max_length=300, strip=True
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        validators=[MinValueValidator(_FIRST_DAY), MaxValueValidator(_LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        validators=[MinValueValidator(_FIRST_DAY), MaxValueValidator(_LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    administration = forms.ModelChoiceField(
        label=_("Administration"),
        required=False,
        queryset=Administration.objects.none(),
        empty_label=_("All administrations"),
    )

    def __init__(
        self,
        *args,
        actions: Iterable[str] = (),
        administrations=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *AuditEntry.Category.choices]
        words = Words()
        labelled = [(a, words.action(a)) for a in {*ACTION_LABELS, *actions}]
        self.fields["action"].widget.choices = [
            ("", _("All actions")),
            *sorted(labelled, key=lambda choice: choice[1].lower()),
        ]
        if administrations is None:
            # Only national staff choose the administration; others read their current one.
            del self.fields["administration"]
        else:
            self.fields["administration"].queryset = administrations

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        """The cleaned filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return AuditFilters(
            category=data.get("category") or "",
            action=data.get("action") or "",
            actor=data.get("actor") or "",
            target=data.get("target") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )


# What the export reads of each entry: plain values, no model instances (an export may be
# a few hundred thousand rows).
EXPORT_FIELDS = (
    "created_at",
    "administration__name",
    "actor_label",
    "category",
    "action",
    "target_label",
    "data",
)


def entry_row(
    entry: Mapping[str, Any], *, words: Words, tz: dt.tzinfo, with_administration: bool
) -> list[str]:
    """One CSV row from an entry's ``EXPORT_FIELDS``; the columns are ``csv_header``'s."""
    row = [entry["created_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")]
    if with_administration:
        row.append(entry["administration__name"])
    row += [
        entry["actor_label"] or words.gettext("system"),
        words.category(entry["category"]),
        words.action(entry["action"]),
        entry["action"],
        entry["target_label"],
        words.details_text(entry["data"]),
    ]
    return row


def csv_header(*, with_administration: bool) -> list[str]:
    columns = [gettext("Date")]
    if with_administration:
        columns.append(gettext("Administration"))
    columns += [
        gettext("By"),
        gettext("Category"),
        gettext("Action"),
        gettext("Action code"),
        gettext("Subject"),
        gettext("Details"),
    ]
    return columns


# --- whose journal --------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalScope:
    """The journal a request reads: one administration's, or (national staff) a choice."""

    administration: Administration | None
    # National staff pick any administration (or all of them); others have no choice.
    choices: Any = None

    @property
    def national(self) -> bool:
        return self.choices is not None


def journal_scope(user, current: Administration | None, requested: str | None) -> JournalScope:
    """Decide whose journal ``user`` reads.

    National staff read every journal, narrowed by the ``administration`` filter. Anyone else
    reads the journal of their current administration (from the session or the token, never
    from the request): naming another one answers 404, exactly like one that does not exist,
    and a role without the audit permission answers 403.
    """
    if user.is_superuser:
        return JournalScope(administration=None, choices=Administration.objects.order_by("name"))
    if requested and (current is None or requested != str(current.pk)):
        raise Http404
    if current is None or not has_administration_perm(user, VIEW_AUDIT, current):
        raise PermissionDenied
    return JournalScope(administration=current)


# --- pages -----------------------------------------------------------------------------------


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
