from django.urls import path

from . import api
from .experiment.impact import api as impact_api

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
    path("knowledge/articles/", api.ArticleListView.as_view(), name="api-articles"),
    path("knowledge/articles/<int:pk>/", api.ArticleDetailView.as_view(), name="api-article"),
]

# The impact report (issue 6).
urlpatterns += [
    path("impact/", impact_api.ImpactReportView.as_view(), name="api-impact"),
]

# Administrators: the experiment set-up and the knowledge base (drafting/api_setup.py).
from . import api_setup  # noqa: E402

urlpatterns += [
    path("experiment/", api_setup.ExperimentView.as_view(), name="api-experiment"),
    path("experiment/stop/", api_setup.ExperimentStopView.as_view(), name="api-experiment-stop"),
    path(
        "administration/knowledge/articles/",
        api_setup.ArticleListView.as_view(),
        name="api-knowledge-articles",
    ),
    path(
        "administration/knowledge/articles/<int:pk>/",
        api_setup.ArticleDetailView.as_view(),
        name="api-knowledge-article",
    ),
    path(
        "administration/knowledge/import/",
        api_setup.KnowledgeImportView.as_view(),
        name="api-knowledge-import",
    ),
]
