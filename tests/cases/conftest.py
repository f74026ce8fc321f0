import pytest
from django.db import transaction
from django.test import Client, override_settings

from accounts.models import Administration, User
from tests.case_states import Office, make_office
from tests.factories import make_administration

from .mail_offices import MAILBOX_USERS, PASSWORD, MailWorld
from .mailservers import start_dovecot, start_smtp

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    # Factories set a password on every user: the production hasher would dominate the run.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """Build one administration with its staff, and a second one, once per test module.

    The rows live in a transaction that is rolled back when the module ends (the pattern of
    Django's ``setUpTestData``); each test runs in its own savepoint inside it, so what a test
    writes is gone before the next one starts.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            office = make_office("Caisse d'allocations familiales du Rhône", "CAF69")
            other = make_administration(
                "Caisse primaire d'assurance maladie de Gironde", code="CPAM33"
            )
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield office, other
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _refuse_transactional(request) -> None:
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        pytest.fail(
            "office/elsewhere live in a module-wide transaction: a transactional test cannot "
            "use them (build its rows with tests.case_states.make_office instead)."
        )


@pytest.fixture
def office(request, _module_world, db) -> Office:
    """One administration with two agents, a manager and an administrator.

    Fresh objects for every test: nothing cached on them (permission answers) leaks from one
    test to the next.
    """
    _refuse_transactional(request)
    built, _other = _module_world
    users = User.objects.in_bulk(
        [built.agent.pk, built.agent2.pk, built.manager.pk, built.administrator.pk]
    )
    return Office(
        administration=Administration.objects.get(pk=built.administration.pk),
        agent=users[built.agent.pk],
        agent2=users[built.agent2.pk],
        manager=users[built.manager.pk],
        administrator=users[built.administrator.pk],
    )


@pytest.fixture
def elsewhere(request, _module_world, db) -> Administration:
    """Another administration, without staff: a transfer target."""
    _refuse_transactional(request)
    _office, other = _module_world
    return Administration.objects.get(pk=other.pk)


@pytest.fixture
def browser():
    """``browser(user)``: a test client signed in as ``user``, asking for English pages."""

    def sign_in(user, language: str = "en") -> Client:
        client = Client(headers={"accept-language": language})
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return sign_in


@pytest.fixture
def isere(db) -> Office:
    """A second administration with its staff: the one a case is transferred to."""
    return make_office("Caisse primaire d'assurance maladie de l'Isère", "CPAM38")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dovecot():
    """A Dovecot with the IMAP mailbox of each administration of tests/cases/mail_offices.py
    (a test module may define its own)."""
    server = start_dovecot(dict.fromkeys(MAILBOX_USERS.values(), PASSWORD))
    yield server
    server.stop()


@pytest.fixture
def smtp(dovecot):
    """An SMTP server delivering the administrations' addresses to their Dovecot mailboxes,
    and keeping every mail (the usagers' side)."""
    server = start_smtp(dovecot, MAILBOX_USERS)
    yield server
    server.stop()


@pytest.fixture
def mail_world(dovecot, smtp, settings, django_capture_on_commit_callbacks) -> MailWorld:
    """Guichet sends through the test's SMTP server; the usager sends and reads mail."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return MailWorld(dovecot=dovecot, smtp=smtp, capture=django_capture_on_commit_callbacks)
