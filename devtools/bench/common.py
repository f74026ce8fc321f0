"""What the benchmark commands (bench_inbox, bench_drafting) share."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import connection

from accounts import services as account_services
from accounts.models import Administration, User
from cases.models import Channel

# How the generated cases spread over the channels (bench_inbox's cases, the bulk generator's).
CHANNEL_MIX = [
    (Channel.SERVICES_PUBLICS_PLUS, 0.10),
    (Channel.SERVICE_PUBLIC_QUESTION, 0.20),
    (Channel.FRANCE_SERVICES, 0.10),
    (Channel.EMAIL, 0.30),
    (Channel.PHONE, 0.10),
    (Channel.WEB_FORM, 0.20),
]


def add_allow_sqlite(parser) -> None:
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run on SQLite (numbers not meaningful)"
    )


def require_postgresql(command: str, *, allow_sqlite: bool) -> None:
    """Benchmarks measure the production engine; SQLite only to try a command out."""
    vendor = connection.vendor
    if vendor != "postgresql" and not (vendor == "sqlite" and allow_sqlite):
        raise CommandError(
            f"{command} measures PostgreSQL, and this database is {vendor}. Point "
            "DATABASE_URL at a scratch PostgreSQL database (or pass --allow-sqlite to try "
            "the command on SQLite)."
        )


def bench_administration(code: str, name: str) -> Administration:
    """The benchmark's own administration, created once and reused; never someone else's."""
    administration = Administration.objects.filter(code=code).first()
    if administration is not None and administration.name != name:
        raise CommandError(
            f"Administration {code} exists and is not a benchmark administration: "
            "choose another --administration-code."
        )
    if administration is None:
        try:
            administration = account_services.administration_create(
                name=name,
                slug=f"bench-{code.lower()}",
                code=code,
                kind=Administration.Kind.NATIONAL_OPERATOR,
                signature=f"Le service relations usagers\n{name}",
            )
        except ValidationError as exc:
            raise CommandError(f"Cannot create administration {code}: {exc}") from exc
    return administration


def bench_member(
    administration: Administration, local: str, first: str, last: str, role: str
) -> User:
    email = f"{local}.{administration.code.lower()}@bench.guichet.invalid"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, None, first_name=first, last_name=last
    )
    account_services.membership_create(user=user, administration=administration, role=role)
    return user
