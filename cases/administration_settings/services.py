"""Writes of the administration settings owned by cases: response deadlines per channel, the
"Pour en savoir plus" list in replies, and the administration's own topics (national topics
are shared and read-only). Each write is journaled in the administration journal, whether it
comes from the settings page, the API or the Django admin."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry, User
from accounts.permissions import MANAGE_SETTINGS, has_administration_perm
from accounts.services import audit_record

from ..audit_actions import CasesAuditAction
from ..models import DEFAULT_RESPONSE_DAYS, Channel, ChannelEndpoint, ResponseDeadline, Topic
from ..services.common import invalid


def _require_settings(actor: User, administration: Administration) -> None:
    if not has_administration_perm(actor, MANAGE_SETTINGS, administration):
        raise PermissionDenied(
            _("Your role does not allow managing this administration's settings.")
        )


@transaction.atomic
def response_deadlines_set(
    *, actor: User, administration: Administration, days: dict[str, int | None]
) -> dict[str, int]:
    """Days to respond per channel (None: back to the default). New cases use them; cases
    already open keep their due date. Returns the effective days of every channel."""
    _require_settings(actor, administration)
    errors: dict[str, list[ValidationError]] = {}
    for channel, value in days.items():
        if channel not in Channel.values:
            errors[channel] = [
                ValidationError(
                    _("Unknown channel “%(value)s”.") % {"value": channel}, code="invalid_choice"
                )
            ]
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365
        ):
            errors[channel] = [
                ValidationError(_("A whole number of days from 1 to 365."), code="out_of_range")
            ]
    if errors:
        raise ValidationError(errors)
    rows = {
        row.channel: row
        for row in ResponseDeadline.objects.select_for_update().filter(
            administration=administration
        )
    }
    before = {c: (rows[c].days if c in rows else None) for c in Channel.values}
    for channel, value in days.items():
        row = rows.get(channel)
        if value is None:
            if row is not None:
                row.delete()
        elif row is None:
            ResponseDeadline.objects.create(
                administration=administration, channel=channel, days=value
            )
        elif row.days != value:
            row.days = value
            row.save(update_fields=["days"])
    after = {c: days[c] if c in days else before[c] for c in Channel.values}
    if before != after:
        audit_record(
            administration=administration,
            actor=actor,
            category=AuditEntry.Category.SETTINGS,
            action=CasesAuditAction.DEADLINES_CHANGED,
            target_label=administration.name,
            data={"before": before, "after": after},
        )
    return {c: after[c] or DEFAULT_RESPONSE_DAYS[Channel(c)] for c in Channel.values}


@transaction.atomic
def reply_references_set(
    *, actor: User, administration: Administration, enabled: bool
) -> Administration:
    """Whether a reply built from a draft ends with the "Pour en savoir plus" list of the
    cited fiches' public links (on by default), journaled when it changes."""
    _require_settings(actor, administration)
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    enabled = bool(enabled)
    if administration.reply_references == enabled:
        return administration
    before = {"reply_references": administration.reply_references}
    administration.reply_references = enabled
    administration.save(update_fields=["reply_references"])
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=CasesAuditAction.REPLY_REFERENCES_CHANGED,
        target_label=administration.name,
        data={"before": before, "after": {"reply_references": enabled}},
    )
    return administration


def topic_name_clean(name: str, administration: Administration, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise invalid("name", _("This field cannot be empty."), "required")
    if len(name) > 120:
        raise invalid("name", _("120 characters at most."), "max_length")
    clash = Topic.objects.filter(
        Q(administration__isnull=True) | Q(administration=administration), name__iexact=name
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise invalid("name", _("A topic with this name already exists."), "unique")
    return name


def _topic_slug(name: str, administration: Administration) -> str:
    base = (slugify(name) or "theme")[:70]
    taken = set(
        Topic.objects.filter(Q(administration__isnull=True) | Q(administration=administration))
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def topic_create(*, actor: User, administration: Administration, name: str) -> Topic:
    """One of the administration's own topics (national topics are shared and read-only)."""
    _require_settings(actor, administration)
    name = topic_name_clean(name, administration)
    topic = Topic.objects.create(
        administration=administration, name=name, slug=_topic_slug(name, administration)
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=CasesAuditAction.TOPIC_CREATED,
        target_label=topic.name,
        data={"topic": topic.pk, "slug": topic.slug},
    )
    return topic


def _own_topic(actor: User, administration: Administration, topic: Topic) -> Topic:
    if topic.administration_id is None:
        raise PermissionDenied(_("National topics are read-only."))
    if topic.administration_id != administration.pk:
        raise Topic.DoesNotExist("No topic matches the given query.")
    _require_settings(actor, administration)
    return Topic.objects.select_for_update().get(pk=topic.pk)


@transaction.atomic
def topic_update(
    *,
    actor: User,
    administration: Administration,
    topic: Topic,
    name: str | None = None,
    is_active: bool | None = None,
) -> Topic:
    """Rename, retire or bring back an own topic. A retired topic is no longer offered for new
    cases; the cases filed under it keep it."""
    topic = _own_topic(actor, administration, topic)
    before = {"name": topic.name, "is_active": topic.is_active}
    if name is not None:
        topic.name = topic_name_clean(name, administration, exclude=topic.pk)
    if is_active is not None:
        topic.is_active = bool(is_active)
    after = {"name": topic.name, "is_active": topic.is_active}
    if before == after:
        return topic
    topic.save(update_fields=["name", "is_active"])
    if before["is_active"] != after["is_active"]:
        action = (
            CasesAuditAction.TOPIC_REACTIVATED
            if topic.is_active
            else CasesAuditAction.TOPIC_RETIRED
        )
    else:
        action = CasesAuditAction.TOPIC_RENAMED
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=action,
        target_label=topic.name,
        data={"topic": topic.pk, "before": before, "after": after},
    )
    return topic


# --- channel endpoints (where replies to a channel's cases are POSTed) ------------------------


def _endpoint_state(endpoint: ChannelEndpoint | None) -> dict[str, str | bool] | None:
    if endpoint is None:
        return None
    return {"callback_url": endpoint.callback_url, "is_active": endpoint.is_active}


@transaction.atomic
def channel_endpoint_save(
    *,
    actor: User,
    administration: Administration,
    channel: str,
    callback_url: str,
    signing_secret: str,
    is_active: bool = True,
) -> ChannelEndpoint:
    """Create or change the administration's endpoint for ``channel`` (journaled; the secret
    itself never reaches the journal, only whether it changed)."""
    _require_settings(actor, administration)
    if channel not in Channel.values:
        raise invalid(
            "channel", _("Unknown channel “%(value)s”.") % {"value": channel}, "invalid_choice"
        )
    endpoint = (
        ChannelEndpoint.objects.select_for_update()
        .filter(administration=administration, channel=channel)
        .first()
    )
    before = _endpoint_state(endpoint)
    secret_changed = endpoint is None or endpoint.signing_secret != signing_secret
    if endpoint is None:
        endpoint = ChannelEndpoint(administration=administration, channel=channel)
    endpoint.callback_url = callback_url
    endpoint.signing_secret = signing_secret
    endpoint.is_active = bool(is_active)
    endpoint.full_clean(validate_unique=False)
    endpoint.save()
    after = _endpoint_state(endpoint)
    if before != after or secret_changed:
        audit_record(
            administration=administration,
            actor=actor,
            category=AuditEntry.Category.SETTINGS,
            action=CasesAuditAction.CHANNEL_ENDPOINT_SAVED,
            target_label=str(endpoint.get_channel_display()),
            data={
                "channel": channel,
                "before": before,
                "after": after,
                "secret_changed": secret_changed,
            },
        )
    return endpoint


@transaction.atomic
def channel_endpoint_delete(*, actor: User, endpoint: ChannelEndpoint) -> None:
    """Remove an endpoint: replies to the channel go by e-mail again (journaled)."""
    administration = endpoint.administration
    _require_settings(actor, administration)
    before = _endpoint_state(endpoint)
    endpoint.delete()
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=CasesAuditAction.CHANNEL_ENDPOINT_DELETED,
        target_label=str(endpoint.get_channel_display()),
        data={"channel": endpoint.channel, "before": before},
    )
