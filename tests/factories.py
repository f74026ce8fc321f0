"""Factories: build rows through the services where the services hold rules."""

from __future__ import annotations

import itertools

import factory

from accounts import services as account_services
from accounts.models import Administration, Role, User
from cases import services as case_services
from cases.models import Case, Channel, Topic

_codes = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@example.gouv.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-solide-2026")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def make_administration(
    name: str = "", *, code: str = "", kind: str = "national_operator", **kwargs
) -> Administration:
    n = next(_codes)
    code = code or f"ADM{n}"
    name = name or f"Administration {n}"
    return account_services.administration_create(
        name=name, slug=code.lower(), code=code, kind=kind, **kwargs
    )


def make_member(administration: Administration, role: str = Role.AGENT, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    account_services.membership_create(user=user, administration=administration, role=role)
    return user


def make_topic(administration: Administration | None = None, name: str = "Logement") -> Topic:
    slug = f"{name.lower()}-{next(_codes)}"
    return Topic.objects.create(administration=administration, name=name, slug=slug)


def make_case(administration: Administration, *, actor: User | None = None, **kwargs) -> Case:
    defaults = dict(
        channel=Channel.EMAIL,
        subject="Question sur mes aides au logement",
        body="Bonjour, mon APL a baissé ce mois-ci sans explication. Pouvez-vous m'aider ?",
        usager_name="Camille Martin",
        usager_email="camille.martin@example.org",
    )
    defaults.update(kwargs)
    return case_services.case_create(actor=actor, administration=administration, **defaults)


def make_volunteer(user: User, administration: Administration):
    """``user`` volunteers with the current consent text and is approved."""
    from accounts.models import ConsentText

    consent = ConsentText.objects.filter(administration=administration).order_by(
        "-version"
    ).first() or account_services.consent_publish(
        administration=administration, text="Je participe à l'expérimentation."
    )
    enrolment = account_services.enrolment_request(
        actor=user, administration=administration, consent=consent
    )
    return account_services.enrolment_decide(actor=None, enrolment=enrolment, approve=True)
