"""Retention and usagers' rights (issue 17).

- ``models.py``: the retention period per administration (``RetentionPolicy``; without a row,
  ``settings.RETENTION_CLOSED_CASE_DAYS``).
- ``registry.py``: every table that holds a usager's personal data, with how to export and how
  to erase it. Apps register their own tables (drafting from ``DraftingConfig.ready()``);
  ``tests/retention/test_personal_data_registry.py`` fails on a model left out.
- ``services.py``: ``cases_anonymise`` (the one eraser), ``retention_purge`` (the scheduled
  task's body: closed cases past their period, in batches), ``usager_export`` and
  ``usager_erase`` (rights requests).
- ``tasks.py``: ``cases.retention.purge``; ``views.py``/``api.py``: the administrator's page and
  API for rights requests.
"""
