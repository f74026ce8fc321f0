from django.urls import include, path

from .experiment.impact import views as impact_views
from .suggestions import views

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

# Administrators: the experiment set-up and the knowledge base.
from .experiment import views as experiment_views  # noqa: E402
from .knowledge import views as knowledge_views  # noqa: E402

urlpatterns += [
    path("experience/", experiment_views.experiment, name="experiment"),
    path("experience/arret/", experiment_views.experiment_stop, name="experiment_stop"),
    path("connaissances/", knowledge_views.knowledge, name="knowledge"),
    path("connaissances/import/", knowledge_views.knowledge_upload, name="knowledge_upload"),
    path("connaissances/nouvelle/", knowledge_views.article_new, name="article_new"),
    path("connaissances/<int:pk>/", knowledge_views.article, name="article"),
    path("connaissances/<int:pk>/activite/", knowledge_views.article_active, name="article_active"),
]

# The answer bank (issue 12): drafting/answers/.
urlpatterns += [path("reponses-types/", include("drafting.answers.urls"))]
