from django.urls import path

from . import api

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
