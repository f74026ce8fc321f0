from django.urls import path

from . import views

app_name = "drafting"

urlpatterns = [
    path("dossier/<int:case_pk>/", views.panel, name="panel"),
    path("dossier/<int:case_pk>/nouveau/", views.request_new, name="request"),
    path("<int:pk>/ecarter/", views.discard, name="discard"),
]
