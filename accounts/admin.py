"""The Django admin of accounts: audited models are read-only here, or written through the
services (``writes_through_services``), so that the journal sees every change."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from . import services
from .models import Administration, ConsentText, Enrolment, Membership, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_superuser")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipFormSet(BaseInlineFormSet):
    def clean(self):
        """Refuse saving the page if it would leave no active administrator (there was one)."""
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        had_one = Membership.objects.filter(
            administration=self.instance, role=Role.ADMINISTRATOR, is_active=True
        ).exists()
        remaining = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or form in self.deleted_forms:
                continue
            if data.get("role") == Role.ADMINISTRATOR and data.get("is_active"):
                remaining += 1
        if had_one and remaining == 0:
            raise ValidationError(
                _("An administration must keep at least one active administrator.")
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    raw_id_fields = ("user",)
    # What an invitation recorded (accounts.services.member_invite) is not edited by hand.
    readonly_fields = (
        "joins_at_sign_in",
        "invited_first_name",
        "invited_last_name",
        "created_at",
        "deactivated_at",
    )


@admin.register(Administration)
class AdministrationAdmin(GuardedModelAdmin):
    list_display = ("name", "code", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code", "siret")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    # The memberships of the inline go through the services (save_formset).
    writes_through_services = True

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.role_groups_ensure(administration=obj)

    def save_formset(self, request, form, formset, change):
        # Memberships go through the services: role groups follow them, the last-administrator
        # rule holds, deactivation releases cases, and every change is journaled.
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            services.membership_delete(membership=deleted, actor=request.user)
        for membership in instances:
            if membership.pk is None:
                created = services.membership_create(
                    user=membership.user,
                    administration=membership.administration,
                    role=membership.role,
                    team=membership.team,
                    actor=request.user,
                )
                if not membership.is_active:
                    services.membership_set_active(
                        membership=created, active=False, actor=request.user
                    )
                continue
            stored = Membership.objects.get(pk=membership.pk)
            if (stored.role, stored.team) != (membership.role, membership.team):
                services.membership_change_role(
                    membership=stored,
                    role=membership.role,
                    team=membership.team,
                    actor=request.user,
                )
            if stored.is_active != membership.is_active:
                services.membership_set_active(
                    membership=stored, active=membership.is_active, actor=request.user
                )


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ("administration", "version", "created_at")
    readonly_fields = ("version",)
    writes_through_services = True

    def has_change_permission(self, request, obj=None):
        return obj is None  # a published version is what volunteers agreed to: never edited

    def has_delete_permission(self, request, obj=None):
        return False  # volunteers' consents point at it

    def save_model(self, request, obj, form, change):
        published = services.consent_publish(administration=obj.administration, text=obj.text)
        obj.pk = published.pk
        obj.version = published.version

    def delete_model(self, request, obj):
        raise PermissionDenied


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("user", "administration", "status", "cohort", "requested_at", "decided_at")
    list_filter = ("status", "administration")
    search_fields = ("user__email",)
    readonly_fields = [f.name for f in Enrolment._meta.fields]
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False  # an agent volunteers themself: consent is theirs to give

    # Read-only: decisions go through the actions below (the services, journaled).
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset):
        for enrolment in queryset.filter(status=Enrolment.Status.REQUESTED):
            services.enrolment_decide(actor=None, enrolment=enrolment, approve=True)

    @admin.action(description=_("Refuse the selected requests"))
    def refuse(self, request, queryset):
        for enrolment in queryset.filter(status=Enrolment.Status.REQUESTED):
            services.enrolment_decide(actor=None, enrolment=enrolment, approve=False)
