"""The security tests reuse the local ProConnect provider of tests/accounts."""

from tests.accounts.test_oidc import proconnect, provider  # noqa: F401 (fixtures)
