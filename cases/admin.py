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
