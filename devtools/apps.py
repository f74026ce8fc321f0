from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development-only: management commands and data, no models, no URLs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "devtools"
    verbose_name = "Development tools"
