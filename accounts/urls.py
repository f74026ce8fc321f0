from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .access import public
from .views import audit, auth, enrolment, invitations, members, profile, tokens

app_name = "accounts"

urlpatterns = [
    path("connexion/", auth.LoginView.as_view(), name="login"),
    path("deconnexion/", auth.LogoutView.as_view(), name="logout"),
    path("administration/", auth.switch_administration, name="switch_administration"),
    path("profil/", profile.profile, name="profile"),
    path("profil/volontariat/", profile.volunteer, name="volunteer"),
    path("profil/retrait/", profile.withdraw, name="withdraw"),
    path("gestion/", profile.administration_home, name="administration"),
    path("membres/", members.members, name="members"),
    path("membres/import/", members.members_import, name="members_import"),
    path("membres/export/", members.members_export, name="members_export"),
    path("membres/<int:pk>/", members.member_edit, name="member_edit"),
    path("membres/<int:pk>/activation/", members.member_set_active, name="member_set_active"),
    path(
        "invitation/<uidb64>/<token>/",
        auth.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("invitations/", invitations.invitations, name="invitations"),
    path(
        "invitations/<int:pk>/reponse/",
        invitations.invitation_answer,
        name="invitation_answer",
    ),
    path("volontaires/", enrolment.enrolments, name="enrolments"),
    path("volontaires/<int:pk>/decision/", enrolment.enrolment_decide, name="enrolment_decide"),
    path("jetons/", tokens.token_list, name="tokens"),
    path("jetons/<int:pk>/revocation/", tokens.token_revoke, name="token_revoke"),
    path("mot-de-passe/oubli/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oubli/envoye/",
        public(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html"
            ),
            reason="the confirmation that a link was sent",
        ),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        public(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="accounts/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:login"),
            ),
            reason="the signed reset link is the credential",
        ),
        name="password_reset_confirm",
    ),
    path("journal/", audit.audit, name="audit"),
    path("journal/export.csv", audit.audit_export, name="audit_export"),
]
