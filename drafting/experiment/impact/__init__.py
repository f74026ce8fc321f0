"""The impact report of the drafting experiment: ``figures`` (the registry the page, the exports
and the API read), ``selectors`` (the report, computed once per filters), ``statistics``,
``filters``, ``facts`` (the fact tables kept by PostgreSQL triggers), ``scope``, ``forms``,
``verdicts``, ``views`` and ``api``."""
