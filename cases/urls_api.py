from django.urls import path

urlpatterns: list = []

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
