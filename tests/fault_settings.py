"""Settings of the worker and beat processes the fault tests start (tests/test_fault_workers.py):
the test settings, with mail written to files the test counts."""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["GUICHET_TEST_MAIL_DIR"]
