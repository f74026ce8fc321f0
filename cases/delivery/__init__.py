"""Outbound delivery of replies, through the case's channel (a room: backends, the attempt
pipeline, its task, the services). A sent reply gets one ``Delivery`` row (created when
``reply_sent`` fires, after commit) and a Celery task that claims it, sends it and records the
outcome; failures are retried with exponential backoff up to ``DELIVERY_MAX_ATTEMPTS``.

The backends are re-exported here: ``DELIVERY_BACKENDS`` names them ``cases.delivery.<Name>``.
"""

from .backends import DeliveryError, EmailBackend, HttpCallbackBackend, get_backend, sign

__all__ = ["DeliveryError", "EmailBackend", "HttpCallbackBackend", "get_backend", "sign"]
