from django.urls import path

from . import api

urlpatterns = [
    path("", api.AnswerListView.as_view(), name="api-answers"),
    path("<int:pk>/", api.AnswerDetailView.as_view(), name="api-answer"),
]
