from django.urls import path

from . import views

app_name = "answers"

urlpatterns = [
    path("", views.answer_list, name="list"),
    path("nouvelle/", views.answer_new, name="new"),
    path("choix/", views.picker, name="picker"),
    path("choix/<int:pk>/utilisee/", views.picker_used, name="used"),
    path("<int:pk>/", views.answer_edit, name="edit"),
    path("<int:pk>/retrait/", views.answer_retire, name="retire"),
    path("reponse/<int:reply_pk>/", views.from_reply, name="from_reply"),
]
