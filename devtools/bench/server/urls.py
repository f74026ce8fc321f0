from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from .views import floor

urlpatterns = [path("bench/floor/", floor), *project_urlpatterns]
