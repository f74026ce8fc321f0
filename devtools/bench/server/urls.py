"""The server bench_api starts: the project's URLs plus the framework's floors (bare views).

Not mounted in config/urls.py: only gunicorn started by ``manage.py bench_api`` serves it.
"""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from .views import floor, floor_detail

urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor/<int:pk>/", floor_detail),
    *project_urlpatterns,
]
