from django.contrib import admin

from .models import Case, CaseEvent, InternalNote, Reply, ResponseDeadline, Topic


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
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
class CaseAdmin(admin.ModelAdmin):
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
    raw_id_fields = ("assignee", "transferred_from", "topic")
    # The lifecycle goes through the services: the admin shows cases, it does not edit them.
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseEventInline, NoteInline, ReplyInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "administration", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ResponseDeadline)
class ResponseDeadlineAdmin(admin.ModelAdmin):
    list_display = ("administration", "channel", "days")
    list_filter = ("channel",)


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "case", "kind", "actor")
    list_filter = ("kind",)
    list_select_related = ("case", "actor")
    raw_id_fields = ("case", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- channel intake and outbound delivery ----------------------------------------------------

from .models import Attachment, ChannelEndpoint, Delivery, InboundEmail, IntakeDelivery  # noqa: E402


@admin.register(ChannelEndpoint)
class ChannelEndpointAdmin(admin.ModelAdmin):
    """Where replies to a channel's cases are POSTed (see README, "Operators")."""

    list_display = ("administration", "channel", "callback_url", "is_active", "updated_at")
    list_filter = ("channel", "is_active")
    search_fields = ("administration__name", "callback_url")
    fields = ("administration", "channel", "callback_url", "signing_secret", "is_active")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("reply", "backend", "status", "attempts", "delivered_at", "updated_at")
    list_filter = ("status", "backend")
    list_select_related = ("reply",)
    # Read-only: a failed delivery is sent again from the case page, which journals it.
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IntakeDelivery)
class IntakeDeliveryAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "administration", "channel", "key", "external_id", "case")
    list_filter = ("channel",)
    search_fields = ("key", "external_id", "case__reference")
    list_select_related = ("administration", "case")


@admin.register(InboundEmail)
class InboundEmailAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "administration", "message_id", "outcome", "case")
    list_filter = ("outcome",)
    search_fields = ("message_id", "case__reference")
    list_select_related = ("administration", "case")


@admin.register(Attachment)
class AttachmentAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "case", "original_name", "content_type", "size")
    list_filter = ("content_type",)
    list_select_related = ("case",)
