"""Make a freshly loaded process ready to serve: what the first request would load is loaded
now, then everything is moved out of the garbage collector's reach.

A full collection scans every tracked object. Once Django, the apps, the URLconf, the views and
the translation catalogs are loaded, that is some 300,000 objects: a pause of about 140 ms for
every thread of the process, every few hundred requests (an inbox page's slowest request of 60
took 180-250 ms against a p95 of 20-35 ms). ``gc.freeze`` is Python's remedy for a pre-forking
server: what it freezes lives as long as the process anyway. gunicorn's workers call
``freeze_loaded`` once the application is loaded (gunicorn.conf.py, ``post_worker_init``).
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def freeze_loaded() -> int:
    """Load the URLconf (and with it every view, form and serializer module) and each
    language's catalog, collect what is garbage already, then freeze the rest. Returns the
    number of objects frozen."""
    get_resolver().url_patterns  # noqa: B018 (imports the views of every URL)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Cases")
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
