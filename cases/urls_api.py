from django.urls import path

from .api import dashboard

urlpatterns: list = [
    path(
        "dashboard/workload/",
        dashboard.WorkloadDashboardView.as_view(),
        name="api-dashboard-workload",
    ),
]

# Administrators: the administration's settings (cases/api/settings.py).
from .api import settings as settings_api  # noqa: E402

urlpatterns += [
    path(
        "administration/settings/",
        settings_api.AdministrationSettingsView.as_view(),
        name="api-administration-settings",
    ),
    path("topics/", settings_api.TopicListView.as_view(), name="api-topics"),
    path("topics/<int:pk>/", settings_api.TopicDetailView.as_view(), name="api-topic"),
]
