from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_audit, views_members, views_tokens

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("administration/", views.switch_administration, name="switch_administration"),
    path("profil/", views.profile, name="profile"),
    path("profil/volontariat/", views.volunteer, name="volunteer"),
    path("profil/retrait/", views.withdraw, name="withdraw"),
    path("membres/", views_members.members, name="members"),
    path("membres/import/", views_members.members_import, name="members_import"),
    path("membres/<int:pk>/", views_members.member_edit, name="member_edit"),
    path("membres/<int:pk>/activation/", views_members.member_set_active, name="member_set_active"),
    path(
        "invitation/<uidb64>/<token>/",
        views_members.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("volontaires/", views.enrolments, name="enrolments"),
    path("volontaires/<int:pk>/decision/", views.enrolment_decide, name="enrolment_decide"),
    path("jetons/", views_tokens.token_list, name="tokens"),
    path("jetons/<int:pk>/revocation/", views_tokens.token_revoke, name="token_revoke"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:login"),
        ),
        name="password_reset_confirm",
    ),
    path("journal/", views_audit.audit, name="audit"),
    path("journal/export.csv", views_audit.audit_export, name="audit_export"),
]
