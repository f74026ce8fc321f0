from django.contrib import admin

from . import services
from .models import CaseArm, ExperimentPeriod, KnowledgeArticle, Passage, Suggestion


class PassageInline(admin.TabularInline):
    model = Passage
    extra = 0
    fields = ("position", "heading", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "external_id", "administration", "topic", "is_active", "updated_on")
    list_filter = ("is_active", "source_format", "topic")
    search_fields = ("title", "external_id")
    list_select_related = ("administration", "topic")
    readonly_fields = ("content_hash", "created_at", "modified_at")
    inlines = [PassageInline]
    actions = ["retire", "reactivate"]

    @admin.action(description="Retire the selected articles")
    def retire(self, request, queryset):
        for article in queryset:
            services.article_set_active(article=article, active=False)

    @admin.action(description="Reactivate the selected articles")
    def reactivate(self, request, queryset):
        for article in queryset:
            services.article_set_active(article=article, active=True)


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
            services.experiment_stop(actor=None, administration=period.administration)

    def save_model(self, request, obj, form, change):
        period = services.experiment_start(
            actor=None,
            administration=obj.administration,
            assisted_share=obj.assisted_share,
            backend=obj.backend,
            model_name=obj.model_name,
        )
        obj.pk = period.pk
        obj.refresh_from_db()


@admin.register(CaseArm)
class CaseArmAdmin(admin.ModelAdmin):
    list_display = ("case", "arm", "period", "draw")
    list_filter = ("arm",)
    raw_id_fields = ("case",)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("case", "sequence", "status", "backend", "fell_back", "decision", "latency_ms")
    list_filter = ("status", "backend", "decision", "fell_back")
    raw_id_fields = ("case", "reply")
    list_select_related = ("case",)
    readonly_fields = [f.name for f in Suggestion._meta.fields]

    def has_add_permission(self, request):
        return False
