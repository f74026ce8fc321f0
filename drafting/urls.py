from django.urls import path

from . import views
from .experiment.impact import views as impact_views

app_name = "drafting"

urlpatterns = [
    path("dossier/<int:case_pk>/", views.panel, name="panel"),
    path("dossier/<int:case_pk>/nouveau/", views.request_new, name="request"),
    path("<int:pk>/ecarter/", views.discard, name="discard"),
]

# The impact report (issue 6).
urlpatterns += [
    path("impact/", impact_views.impact_report, name="impact"),
]

# Administrators: the experiment set-up and the knowledge base (drafting/views_setup.py).
from . import views_setup  # noqa: E402

urlpatterns += [
    path("experience/", views_setup.experiment, name="experiment"),
    path("experience/arret/", views_setup.experiment_stop, name="experiment_stop"),
    path("connaissances/", views_setup.knowledge, name="knowledge"),
    path("connaissances/import/", views_setup.knowledge_upload, name="knowledge_upload"),
    path("connaissances/nouvelle/", views_setup.article_new, name="article_new"),
    path("connaissances/<int:pk>/", views_setup.article, name="article"),
    path("connaissances/<int:pk>/activite/", views_setup.article_active, name="article_active"),
]
