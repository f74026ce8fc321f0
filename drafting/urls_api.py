from django.urls import include, path

from .experiment.impact import api as impact_api
from .knowledge import api as knowledge_api
from .suggestions import api

urlpatterns = [
    path(
        "cases/<int:case_id>/suggestion/",
        api.CaseSuggestionView.as_view(),
        name="api-case-suggestion",
    ),
    path(
        "suggestions/<int:pk>/shown/",
        api.SuggestionShownView.as_view(),
        name="api-suggestion-shown",
    ),
    path(
        "suggestions/<int:pk>/discard/",
        api.SuggestionDiscardView.as_view(),
        name="api-suggestion-discard",
    ),
    path("knowledge/articles/", knowledge_api.ArticleListView.as_view(), name="api-articles"),
    path(
        "knowledge/articles/<int:pk>/",
        knowledge_api.ArticleDetailView.as_view(),
        name="api-article",
    ),
]

# The impact report (issue 6).
urlpatterns += [
    path("impact/", impact_api.ImpactReportView.as_view(), name="api-impact"),
]

# Administrators: the experiment set-up and the knowledge base.
from .experiment import api as experiment_api  # noqa: E402

urlpatterns += [
    path("experiment/", experiment_api.ExperimentView.as_view(), name="api-experiment"),
    path(
        "experiment/stop/", experiment_api.ExperimentStopView.as_view(), name="api-experiment-stop"
    ),
    path(
        "administration/knowledge/articles/",
        knowledge_api.AdministrationArticleListView.as_view(),
        name="api-knowledge-articles",
    ),
    path(
        "administration/knowledge/articles/<int:pk>/",
        knowledge_api.AdministrationArticleDetailView.as_view(),
        name="api-knowledge-article",
    ),
    path(
        "administration/knowledge/import/",
        knowledge_api.KnowledgeImportView.as_view(),
        name="api-knowledge-import",
    ),
]

# The answer bank (issue 12): drafting/answers/.
urlpatterns += [path("answers/", include("drafting.answers.urls_api"))]
