from django.urls import path

from .administration_settings import api as settings_api
from .api import cases
from .dashboard import api as dashboard_api
from .intake import api as intake
from .retention import api as retention_api

urlpatterns: list = [
    path(
        "dashboard/workload/",
        dashboard_api.WorkloadDashboardView.as_view(),
        name="api-dashboard-workload",
    ),
]

# Administrators: the administration's settings (cases/administration_settings/api.py).
urlpatterns += [
    path(
        "administration/settings/",
        settings_api.AdministrationSettingsView.as_view(),
        name="api-administration-settings",
    ),
    # Administrators manage their own topics here; every member reads them at topics/.
    path(
        "administration/topics/",
        settings_api.TopicListView.as_view(),
        name="api-administration-topics",
    ),
    path(
        "administration/topics/<int:pk>/",
        settings_api.TopicDetailView.as_view(),
        name="api-administration-topic",
    ),
]

urlpatterns += [
    path("cases/", cases.CaseListView.as_view(), name="api-cases"),
    path("cases/<int:pk>/", cases.CaseDetailView.as_view(), name="api-case"),
    path("cases/<int:pk>/events/", cases.CaseEventsView.as_view(), name="api-case-events"),
    path("cases/<int:pk>/assign/", cases.CaseAssignView.as_view(), name="api-case-assign"),
    path(
        "cases/<int:pk>/transition/",
        cases.CaseTransitionView.as_view(),
        name="api-case-transition",
    ),
    path("cases/<int:pk>/notes/", cases.CaseNotesView.as_view(), name="api-case-notes"),
    path("cases/<int:pk>/reply/", cases.CaseReplyView.as_view(), name="api-case-reply"),
    path(
        "cases/<int:pk>/answer-given/",
        cases.CaseAnswerGivenView.as_view(),
        name="api-case-answer-given",
    ),
    path("topics/", cases.TopicListView.as_view(), name="api-topics"),
]

# Channel intake (cases/intake/api.py).
urlpatterns += [
    path(
        "intake/services-publics-plus/",
        intake.ServicesPublicsPlusIntake.as_view(),
        name="intake-services-publics-plus",
    ),
    path(
        "intake/service-public/",
        intake.ServicePublicQuestionIntake.as_view(),
        name="intake-service-public",
    ),
    path(
        "intake/france-services/",
        intake.FranceServicesIntake.as_view(),
        name="intake-france-services",
    ),
]

# Administrators: rights requests and the retention period (cases/retention/api.py).
urlpatterns += [
    path("rights/export/", retention_api.RightsExportView.as_view(), name="api-rights-export"),
    path("rights/erase/", retention_api.RightsEraseView.as_view(), name="api-rights-erase"),
    path(
        "administration/retention/",
        retention_api.RetentionView.as_view(),
        name="api-administration-retention",
    ),
]
