from django.urls import path

from .api import intake

urlpatterns: list = []

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
