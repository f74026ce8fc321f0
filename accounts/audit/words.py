"""The journal in words: action names, categories and details, for the page, the CSV export
and the API.

Services write ``AuditEntry`` rows with a stable machine name (``"membership.role_changed"``)
and a JSON ``data``. An action's label comes from the vocabulary each app declares
(``accounts.journal``); an action written before its app declared it still reads as words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import journal
from ..models import ApiToken, AuditEntry, Enrolment, Role


def known_actions() -> set[str]:
    """Every action with a label: the apps' registered vocabularies."""
    return set(journal.registered_actions())


# Keys of ``data`` in words. Every key a service writes has one (``tests/test_consistency.py``
# walks the ``audit_record`` calls); other apps add theirs with ``register_words``.
FIELD_LABELS: dict[str, Promise] = {
    "role": _("role"),
    "expires_on": _("valid until"),
    "team": _("team"),
    "name": _("name"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "code": _("reference prefix"),
    "siret": _("SIRET"),
    "signature": _("signature"),
    "closing": _("closing formula"),
    "volunteer_quota": _("volunteer quota"),
    "quota": _("volunteer quota"),
    "status": _("status"),
    "previous": _("previous status"),
    "message": _("message"),
    "cohort": _("cohort"),
    "starts_on": _("starts on"),
    "version": _("version"),
    "consent_version": _("consent text version"),
    "title": _("title"),
    "reason": _("reason"),
    "scope": _("scope"),
    "scopes": _("scopes"),
    "prefix": _("key prefix"),
    "expires_at": _("expires"),
    "share": _("share of cases with a draft"),
    "assisted_share": _("share of cases with a draft"),
    "count": _("number"),
    "new_account": _("new account"),
    "period": _("period number"),
    "unit": _("unit of randomisation"),
    "backend": _("drafting backend"),
    "model_name": _("model"),
    "started_at": _("started"),
    "ended_at": _("ended"),
    "channel": _("channel"),
    "topic": _("topic number"),
    "slug": _("short name"),
    "callback_url": _("callback address"),
    "is_active": _("active"),
    "secret_changed": _("signing secret changed"),
    "reply_references": _("“Pour en savoir plus” list in replies"),
    "answer": _("bank answer number"),
    "cap": _("bank size limit"),
    "case": _("case number"),
    "reply": _("reply number"),
    "fields": _("fields changed"),
    "quality": _("quality"),
    "evicted": _("evicted answer number"),
    "article": _("article number"),
    "url": _("source address"),
    "files": _("files"),
    "created": _("created"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "skipped": _("skipped"),
    "before": _("before"),
    "after": _("after"),
}

# Keys whose value is a database identifier: for the CSV and the API (traceability), not for
# a person reading the page ("bank answer number: 1" says nothing there).
IDENTIFIER_KEYS = {"answer", "case", "reply", "evicted", "article", "topic", "period", "slug"}

# Values in words, for the keys whose values are choices.
VALUE_LABELS: dict[str, Mapping[str, Any]] = {
    "role": dict(Role.choices),
    "status": dict(Enrolment.Status.choices),
    "previous": dict(Enrolment.Status.choices),
    "scope": dict(ApiToken.Scope.choices),
    "unit": {"case": _("per case")},
}
# Keys whose value is a share from 0 to 1 (shown as a percentage), or an ISO date and time.
SHARE_KEYS = {"share", "assisted_share"}
DATETIME_KEYS = {"started_at", "ended_at", "expires_at"}


def values_named(key: str, needle: str) -> list[str]:
    """The values of ``key`` whose words (in the active language) contain ``needle``: what a
    search for the words the page shows must also find ("hors ligne" finds "offline")."""
    needle = needle.lower()
    labels = VALUE_LABELS.get(key, {})
    return [code for code, label in labels.items() if needle in str(label).lower()]


def register_words(
    *,
    fields: Mapping[str, Promise] | None = None,
    values: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Another app's keys of ``data`` and values in words (it cannot be imported from here):
    called from its ``audit_actions`` module, next to its actions."""
    FIELD_LABELS.update(fields or {})
    for key, labels in (values or {}).items():
        VALUE_LABELS[key] = {**VALUE_LABELS.get(key, {}), **labels}


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
        if journal.is_registered(action):
            return journal.action_label(action)
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
        if key in SHARE_KEYS:
            return _share(value)
        if key in DATETIME_KEYS and isinstance(value, str):
            return _datetime(value)
        choices = VALUE_LABELS.get(key)
        if choices is not None and isinstance(value, str) and value in choices:
            return self._memo_get(f"value:{key}", value, lambda: str(choices[value]))
        if isinstance(value, list | tuple):
            return ", ".join(self.value(key, item) for item in value) or EMPTY
        if isinstance(value, dict):
            # Never raw JSON: each key in words.
            return ", ".join(
                self.gettext("%(label)s: %(value)s")
                % {"label": self.field(k), "value": self.value(k, v)}
                for k, v in value.items()
            )
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

    def target(self, label: str, data: Any) -> str:
        """What the entry is about, in words: an experiment period by its share of assisted
        cases and its drafter ("50 % · Rédacteur hors ligne de Guichet"), not by the codes its
        label was written with ("50 % · offline"); any other entry by its label."""
        if isinstance(data, dict):
            period = data.get("after") or data.get("before")
            if isinstance(period, dict) and {"assisted_share", "backend"} <= period.keys():
                parts = [
                    self.value("assisted_share", period["assisted_share"]),
                    self.value("backend", period["backend"]),
                ]
                if period.get("model_name"):
                    parts.append(str(period["model_name"]))
                return " · ".join(parts)
        return label

    def describe(self, data: Any, *, identifiers: bool = True) -> list[Detail]:
        """The entry's ``data`` in words; without the database identifiers when
        ``identifiers`` is false (the page: the entry's label already names the thing).

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
        # A thing created has no "before", a thing removed or stopped no "after".
        if ("before" in data or "after" in data) and all(
            side is None or isinstance(side, dict) for side in (before, after)
        ):
            before, after = before or {}, after or {}
            keys = _ordered_keys(before, after)
            changed = [k for k in keys if before.get(k) != after.get(k)] or keys
            details += [self._change(k, before.get(k), after.get(k)) for k in changed]
            rest = {k: v for k, v in data.items() if k not in ("before", "after")}
        for key, value in rest.items():
            if not identifiers and key in IDENTIFIER_KEYS and not _is_change(value):
                continue
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


def _share(value: Any) -> str:
    try:
        percent = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(percent.normalize(), use_l10n=True) + "\u00a0%"


def _datetime(value: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed, "SHORT_DATETIME_FORMAT")


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


def describe(data: Any, *, identifiers: bool = True) -> list[Detail]:
    return Words().describe(data, identifiers=identifiers)


def details_text(data: Any) -> str:
    return Words().details_text(data)
