"""WSGI entry of the benchmark server: the project, with the floor view added to its URLs."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

application = get_wsgi_application()
# The supported way to swap a setting at run time (it clears the URL resolver's caches).
override_settings(ROOT_URLCONF="devtools.bench.server.urls").enable()
