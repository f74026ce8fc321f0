from django.urls import path

from .api import (
    audit,
    members,
    schema,  # noqa: F401  (registers the token scheme with drf-spectacular)
)

urlpatterns = [
    path("members/", members.MemberListView.as_view(), name="api-members"),
    path("members/<int:pk>/", members.MemberDetailView.as_view(), name="api-member"),
    path("enrolments/", members.EnrolmentListView.as_view(), name="api-enrolments"),
    path(
        "enrolments/<int:pk>/decision/",
        members.EnrolmentDecisionView.as_view(),
        name="api-enrolment-decision",
    ),
    path("tokens/", members.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/revoke/", members.TokenRevokeView.as_view(), name="api-token-revoke"),
]

urlpatterns += [
    path("audit/", audit.AuditListView.as_view(), name="api-audit"),
    path("audit/<int:pk>/", audit.AuditDetailView.as_view(), name="api-audit-entry"),
]
