from django.urls import path  # noqa: F401

from .api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)

urlpatterns: list = []
