from django.urls import path

from . import views, views_impact

app_name = "drafting"

urlpatterns = [
    path("dossier/<int:case_pk>/", views.panel, name="panel"),
    path("dossier/<int:case_pk>/nouveau/", views.request_new, name="request"),
    path("<int:pk>/ecarter/", views.discard, name="discard"),
]

# The impact report (issue 6).
urlpatterns += [
    path("impact/", views_impact.impact_report, name="impact"),
]
