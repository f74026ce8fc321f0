"""The Django admin of drafting: a window on the tables, not a second write path.

Knowledge articles are written by the knowledge pages and ``import_knowledge`` (which re-index
them and keep the journal), case arms are drawn by the experiment and drafts by the pipeline:
here they are read-only. A new experiment period goes through the experiment services, which
end the running one and write the journal.
"""

from django.contrib import admin
from django.db import models

from .experiment import services as experiment_services
from .models import CaseArm, ExperimentPeriod, KnowledgeArticle, Passage, Suggestion


class ReadOnlyAdmin(admin.ModelAdmin):
    # The read-only page still builds the form: URL fields read as https:// (Django 6's default),
    # so Django 5.2's deprecation warning is not raised.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PassageInline(admin.TabularInline):
    model = Passage
    extra = 0
    fields = ("position", "heading", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "external_id", "administration", "topic", "is_active", "updated_on")
    list_filter = ("is_active", "source_format", "topic")
    search_fields = ("title", "external_id")
    list_select_related = ("administration", "topic")
    inlines = [PassageInline]


@admin.register(ExperimentPeriod)
class ExperimentPeriodAdmin(admin.ModelAdmin):
    list_display = ("administration", "assisted_share", "backend", "started_at", "ended_at")
    list_filter = ("backend",)
    readonly_fields = ("seed", "started_by", "started_at", "ended_at")
    actions = ["stop"]

    def has_change_permission(self, request, obj=None):
        # A period is a frozen record: results are split by it. Start a new one instead.
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Stop the experiment of the selected periods' administrations")
    def stop(self, request, queryset):
        for period in queryset.filter(ended_at__isnull=True).select_related("administration"):
            experiment_services.experiment_stop(
                actor=request.user, administration=period.administration
            )

    def save_model(self, request, obj, form, change):
        period = experiment_services.experiment_start(
            actor=request.user,
            administration=obj.administration,
            assisted_share=obj.assisted_share,
            backend=obj.backend,
            model_name=obj.model_name,
        )
        obj.pk = period.pk
        obj.refresh_from_db()


@admin.register(CaseArm)
class CaseArmAdmin(ReadOnlyAdmin):
    list_display = ("case", "arm", "period", "draw")
    list_filter = ("arm",)
    raw_id_fields = ("case",)


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("case", "sequence", "status", "backend", "fell_back", "decision", "latency_ms")
    list_filter = ("status", "backend", "decision", "fell_back")
    raw_id_fields = ("case", "reply")
    list_select_related = ("case",)
