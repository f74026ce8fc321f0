"""The managers' workload dashboard: ``figures`` (the registry the page, the exports and the API
read), ``selectors`` (one aggregate per figure), ``scope`` (whose cases, which days, who may
choose), ``forms``, ``views`` and ``api``."""
