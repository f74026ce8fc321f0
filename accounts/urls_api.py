from django.urls import path

from .api import audit

urlpatterns: list = []

urlpatterns += [
    path("audit/", audit.AuditListView.as_view(), name="api-audit"),
    path("audit/<int:pk>/", audit.AuditDetailView.as_view(), name="api-audit-entry"),
]
