"""The HTML pages of accounts, one module per subdomain: ``auth`` (signing in and out,
invitations, switching administration), ``profile`` (the agent's own page and volunteering),
``members``, ``enrolment`` (the volunteers page), ``tokens`` and ``audit`` (the journal).

Every view declares its access rule with the decorators of ``accounts.access``."""
