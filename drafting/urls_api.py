from django.urls import path

from . import api, api_impact

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
]

# The impact report (issue 6).
urlpatterns += [
    path("impact/", api_impact.ImpactReportView.as_view(), name="api-impact"),
]
