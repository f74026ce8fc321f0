import pytest
from django.test import override_settings


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    # Factories set a password on every user: the production hasher would dominate the run.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
