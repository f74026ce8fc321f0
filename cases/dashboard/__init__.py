"""The managers' workload dashboard: ``figures`` (the registry the page, the exports and the API
read), ``selectors`` (one aggregate per figure), ``scope`` (whose cases, which days, who may
choose), ``forms``, ``views`` and ``api``."""

# cases/apps.py connects the SQLite median from here; it lives with the shared SQL helpers.
from cases.reporting.sql import register_sqlite_functions

__all__ = ["register_sqlite_functions"]
