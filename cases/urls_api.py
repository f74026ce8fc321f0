from django.urls import path

from .api import cases, intake

urlpatterns = [
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
    path("topics/", cases.TopicListView.as_view(), name="api-topics"),
]

# Channel intake (cases/api/intake.py).
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
