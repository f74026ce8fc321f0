"""The Django admin of cases: one write path (ARCHITECTURE §3).

Cases, their journal, replies, notes, deliveries and intake rows are read-only here: their
writes belong to the services, which journal them. Topics, response deadlines and channel
endpoints are edited through the settings services, so an edit made here is journaled exactly
like one made on the settings page.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .administration_settings.services import (
    channel_endpoint_delete,
    channel_endpoint_save,
    response_deadlines_set,
    topic_create,
    topic_name_clean,
    topic_update,
)
from .models import (
    Acknowledgement,
    Attachment,
    Case,
    CaseEvent,
    ChannelEndpoint,
    Delivery,
    InboundEmail,
    IntakeDelivery,
    InternalNote,
    Mailbox,
    MailboxMessage,
    QuarantinedEmail,
    Reply,
    ResponseDeadline,
    SatisfactionResponse,
    Topic,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows, never writes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "data")
    readonly_fields = fields


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ("created_at", "author", "body")
    readonly_fields = fields


class NoteInline(ReadOnlyInline):
    model = InternalNote
    fields = ("created_at", "author", "body")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "administration",
        "subject",
        "channel",
        "status",
        "assignee",
        "due_at",
    )
    list_filter = ("status", "channel", "administration")
    search_fields = ("reference", "subject", "usager_email")
    list_select_related = ("administration", "assignee")
    # The lifecycle goes through the services: the admin shows cases, it does not edit them.
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseEventInline, NoteInline, ReplyInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "case", "kind", "actor")
    list_filter = ("kind",)
    list_select_related = ("case", "actor")
    raw_id_fields = ("case", "actor")


# --- settings, through their services ----------------------------------------------------------


class TopicAdminForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ("administration", "name", "is_active")

    def clean(self):
        cleaned = super().clean()
        administration = cleaned.get("administration") or getattr(
            self.instance, "administration", None
        )
        if administration is None:
            raise ValidationError(_("National topics are read-only."))
        if cleaned.get("name"):
            try:
                cleaned["name"] = topic_name_clean(
                    cleaned["name"], administration, exclude=self.instance.pk
                )
            except ValidationError as exc:
                self.add_error("name", exc.messages)
        return cleaned


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """An administration's own topics, through the settings services (journaled); national
    topics are the code's taxonomy and read-only."""

    form = TopicAdminForm
    list_display = ("name", "slug", "administration", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")

    def get_readonly_fields(self, request, obj=None):
        return ("administration", "slug") if obj is not None else ("slug",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.administration_id is None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            topic = topic_update(
                actor=request.user,
                administration=obj.administration,
                topic=obj,
                name=data["name"],
                is_active=data["is_active"],
            )
        else:
            topic = topic_create(
                actor=request.user, administration=data["administration"], name=data["name"]
            )
            if not data["is_active"]:
                topic = topic_update(
                    actor=request.user,
                    administration=topic.administration,
                    topic=topic,
                    is_active=False,
                )
        obj.pk, obj.slug, obj.name, obj.is_active = (
            topic.pk,
            topic.slug,
            topic.name,
            topic.is_active,
        )


@admin.register(ResponseDeadline)
class ResponseDeadlineAdmin(admin.ModelAdmin):
    """Days to respond, through ``response_deadlines_set`` (journaled)."""

    list_display = ("administration", "channel", "days")
    list_filter = ("channel",)

    def get_readonly_fields(self, request, obj=None):
        return ("administration", "channel") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        response_deadlines_set(
            actor=request.user, administration=obj.administration, days={obj.channel: obj.days}
        )
        saved = ResponseDeadline.objects.get(administration=obj.administration, channel=obj.channel)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        response_deadlines_set(
            actor=request.user, administration=obj.administration, days={obj.channel: None}
        )

    def delete_queryset(self, request, queryset):
        for row in queryset.select_related("administration"):
            self.delete_model(request, row)


@admin.register(ChannelEndpoint)
class ChannelEndpointAdmin(admin.ModelAdmin):
    """Where replies to a channel's cases are POSTed (see README, "Operators"); through the
    settings services (journaled, the secret excepted)."""

    list_display = ("administration", "channel", "callback_url", "is_active", "updated_at")
    list_filter = ("channel", "is_active")
    search_fields = ("administration__name", "callback_url")
    fields = ("administration", "channel", "callback_url", "signing_secret", "is_active")
    # Callbacks are HTTPS: an address typed without a scheme is read as https:// (as Django 6
    # will by default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        return ("administration", "channel") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        saved = channel_endpoint_save(
            actor=request.user,
            administration=obj.administration,
            channel=obj.channel,
            callback_url=obj.callback_url,
            signing_secret=obj.signing_secret,
            is_active=obj.is_active,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        channel_endpoint_delete(actor=request.user, endpoint=obj)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset.select_related("administration"):
            self.delete_model(request, endpoint)


# --- channel intake, outbound delivery, survey: read-only ------------------------------------


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """A failed delivery is sent again from the case page, which journals it."""

    list_display = ("reply", "backend", "status", "attempts", "delivered_at", "updated_at")
    list_filter = ("status", "backend")
    list_select_related = ("reply",)
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(IntakeDelivery)
class IntakeDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "administration", "channel", "key", "external_id", "case")
    list_filter = ("channel",)
    search_fields = ("key", "external_id", "case__reference")
    list_select_related = ("administration", "case")


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "administration", "message_id", "outcome", "case")
    list_filter = ("outcome",)
    search_fields = ("message_id", "case__reference")
    list_select_related = ("administration", "case")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "case", "original_name", "content_type", "size")
    list_filter = ("content_type",)
    list_select_related = ("case",)


@admin.register(SatisfactionResponse)
class SatisfactionResponseAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "administration", "case", "rating", "answered")
    list_filter = ("rating", "answered")
    list_select_related = ("administration", "case")


# E-mail intake (cases/intake/): read-only here; administrators change mailboxes and
# acknowledgements on their settings page, through the services.


@admin.register(QuarantinedEmail)
class QuarantinedEmailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "administration", "source", "message_id", "size", "error")
    search_fields = ("message_id", "source", "sha256")
    list_select_related = ("administration",)
    exclude = ("raw",)


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "case", "backend", "status", "attempts", "sent_at")
    list_filter = ("status", "backend")
    list_select_related = ("case",)


@admin.register(Mailbox)
class MailboxAdmin(ReadOnlyAdmin):
    list_display = ("administration", "host", "username", "is_active", "last_polled_at")
    list_select_related = ("administration",)
    exclude = ("password_encrypted",)


@admin.register(MailboxMessage)
class MailboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "mailbox", "uidvalidity", "uid", "message_id", "outcome")
    list_select_related = ("mailbox",)
