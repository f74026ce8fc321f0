"""Demo data: administrations, members, topics, the knowledge base and 300+ cases.

Idempotent: a second run finds the demo administrations and only prints the logins. The data
(cases, names, knowledge fiches) are files under devtools/demo/.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Administration, Role, User
from accounts.selectors import is_volunteer
from cases import services as case_services
from cases.models import Case, Channel, SatisfactionResponse, Status, Topic
from cases.survey import satisfaction_record
from devtools.demo import KNOWLEDGE_DIR
from devtools.demo.samples import FIRST_NAMES, LAST_NAMES, SAMPLES
from drafting.experiment import services as experiment_services
from drafting.grounding import references_block, strip_markers
from drafting.grounding.markup import cited_numbers
from drafting.knowledge import services as knowledge_services
from drafting.knowledge.text import strip_accents
from drafting.models import Suggestion
from drafting.suggestions import services as suggestion_services

DEMO_PASSWORD = "guichet-demo-2026"  # noqa: S105 - published demo logins

# code, name, kind, sample kinds it answers, SIRET
ADMINISTRATIONS = [
    (
        "CAF69",
        "Caisse d'allocations familiales du Rhône",
        "national_operator",
        {"caf"},
        "53440758600013",
    ),
    (
        "CPAM33",
        "Caisse primaire d'assurance maladie de la Gironde",
        "national_operator",
        {"cpam"},
        "",
    ),
    ("FTHDF", "France Travail Hauts-de-France", "national_operator", {"france_travail"}, ""),
    (
        "DGFIP59",
        "Direction départementale des finances publiques du Nord",
        "ministry_service",
        {"dgfip"},
        "",
    ),
    ("FSGUERET", "France Services de Guéret", "france_services", None, ""),
    ("VILLEURB", "Mairie de Villeurbanne", "local_authority", {"mairie", "ants"}, ""),
]
CASES_PER_ADMINISTRATION = 55
# The administration that runs the experiment gets enough answered cases for the impact report
# to compute its intervals (30 cases per arm answered by volunteers at least).
CASES_OF_EXPERIMENT = 240
SURVEY_COMMENTS = [
    "",
    "",
    "Merci pour la réponse rapide.",
    "Réponse claire, merci.",
    "J'aurais aimé un numéro à appeler.",
    "Je n'ai pas compris quelle pièce envoyer.",
]
CONSENT_TEXT = (
    "Je participe volontairement à l'expérimentation des propositions de réponse rédigées "
    "automatiquement. Je reste seul responsable des réponses envoyées : je relis, modifie ou "
    "écarte chaque proposition. Mes décisions (acceptée, modifiée, écartée) et mes temps de "
    "traitement sont mesurés pour évaluer l'expérimentation, sans classement individuel. "
    "Je peux me retirer à tout moment, en un clic, sans avoir à me justifier."
)


def _ascii(value: str) -> str:
    return "".join(c for c in strip_accents(value).lower() if c.isalnum()) or "usager"


def _email(prefix: str, code: str) -> str:
    return f"{prefix}.{code.lower()}@demo.guichet.fr"


# Subjects an agent wrote for a call or a visit ("Appel : …"): internal, never quoted back.
_INTERNAL_SUBJECT_RE = re.compile(r"^\s*(?:appel|accompagnement|visite|accueil)\s*:", re.I)
_AGENT_CHANNELS = {Channel.PHONE, Channel.FRANCE_SERVICES}
_ACKNOWLEDGEMENT = "Nous avons bien reçu"


def _internal_subject(case: Case) -> bool:
    return case.channel in _AGENT_CHANNELS or bool(_INTERNAL_SUBJECT_RE.match(case.subject))


def as_sent(
    suggestion: Suggestion,
    case: Case,
    *,
    edits: dict[str, str] | None = None,
    addition: str = "",
) -> str:
    """What an agent sends from ``suggestion``: markers out (``strip_markers``), one
    acknowledgement, no repeated paragraph, the internal subject not quoted back, the draft's
    own link line replaced by the references of the cited fiches (``references_block``, only
    fiches with a public link), ``edits`` applied and ``addition`` put before the closing."""
    text = suggestion.text
    for old, new in (edits or {}).items():
        text = text.replace(old, new)
    closing = case.administration.closing.strip()
    paragraphs: list[str] = []
    seen: set[str] = set()
    for paragraph in re.split(r"\n\s*\n", strip_markers(text)):
        paragraph = paragraph.strip()
        key = " ".join(paragraph.split()).casefold()
        if not paragraph or key in seen or paragraph.startswith("Pour en savoir plus"):
            continue
        if paragraph.startswith(_ACKNOWLEDGEMENT):
            if any(p.startswith(_ACKNOWLEDGEMENT) for p in paragraphs):
                continue
            if _internal_subject(case):
                paragraph = paragraph.replace(f" concernant « {case.subject} »", "")
        seen.add(key)
        paragraphs.append(paragraph)
    cited = set(cited_numbers(suggestion.text))
    references = references_block(s for s in suggestion.sources if s.get("n") in cited)
    insert_at = next(
        (i for i, p in enumerate(paragraphs) if closing and p == closing), len(paragraphs)
    )
    paragraphs[insert_at:insert_at] = [p for p in (addition, references) if p]
    return "\n\n".join(paragraphs)


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "load the demo outside development and test (a demonstration server); the "
                "accounts then get a generated password, printed once"
            ),
        )

    def handle(self, *args, seed: int, force: bool = False, **options):
        demo_environment = settings.GUICHET_ENV in ("development", "test")
        if not demo_environment and not force:
            raise CommandError(
                f"seed_demo refuses to run with GUICHET_ENV={settings.GUICHET_ENV}: it creates a "
                "superuser and demo accounts. On a demonstration server, run it with --force "
                "(the accounts then get a generated password, printed once)."
            )
        # The README's password only where it is harmless; anywhere else a fresh one.
        self._password = DEMO_PASSWORD if demo_environment else secrets.token_urlsafe(18)
        self._created = 0
        # The demo's usagers are fictitious: survey invitations stay in memory, not on the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._load(random.Random(seed))
        self._print_logins()

    def _user(self, email: str, first: str, last: str, **extra) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            if not hasattr(self, "_password_hash"):
                # One hash for every demo account: hashing is slow by design.
                self._password_hash = make_password(self._password)
            user = User.objects.create_user(email, None, first_name=first, last_name=last, **extra)
            self._created += 1
            user.password = self._password_hash
            user.save(update_fields=["password"])
        return user

    def _load(self, rng: random.Random) -> None:
        self.stdout.write("Loading the knowledge base…")
        report = knowledge_services.knowledge_import(path=KNOWLEDGE_DIR)
        self.stdout.write(f"  {report.created} fiches created, {report.updated} updated.")
        self._user(
            "national@demo.guichet.fr", "Nadia", "Nationale", is_staff=True, is_superuser=True
        )
        topics = {t.slug: t for t in Topic.objects.filter(administration__isnull=True)}
        multi = self._user("camille.multi@demo.guichet.fr", "Camille", "Lefèvre")
        for index, (code, name, kind, sample_kinds, siret) in enumerate(ADMINISTRATIONS):
            if Administration.objects.filter(code=code).exists():
                self.stdout.write(f"{name}: already loaded.")
                continue
            with transaction.atomic():
                administration = account_services.administration_create(
                    name=name,
                    slug=code.lower(),
                    code=code,
                    kind=kind,
                    siret=siret,
                    signature=f"Le service relations usagers\n{name}",
                )
                members = self._members(administration, code, rng)
                if code in ("CAF69", "FSGUERET"):
                    account_services.membership_create(
                        user=multi, administration=administration, role=Role.AGENT
                    )
                    members["agents"].append(multi)
                consent = account_services.consent_publish(
                    administration=administration, text=CONSENT_TEXT
                )
                # agent3 has not volunteered: they never see a draft.
                volunteers = [*members["agents"][:2], members["manager"]]
                if multi in members["agents"]:
                    volunteers.append(multi)
                for user in volunteers:
                    enrolment = account_services.enrolment_request(
                        actor=user, administration=administration, consent=consent
                    )
                    account_services.enrolment_decide(
                        actor=members["administrator"], enrolment=enrolment, approve=True
                    )
                Topic.objects.get_or_create(
                    administration=administration,
                    slug=f"accueil-{code.lower()}",
                    defaults={"name": f"Accueil et rendez-vous ({code})"},
                )
            if index == 0:
                # One administration runs the experiment: half of its new cases are drafted.
                experiment_services.experiment_start(
                    actor=None,
                    administration=administration,
                    assisted_share="0.5",
                    seed="demo-caf69",
                )
            samples = [s for s in SAMPLES if sample_kinds is None or set(s["kinds"]) & sample_kinds]
            self.stdout.write(f"Creating cases for {name}…")
            count = CASES_OF_EXPERIMENT if index == 0 else CASES_PER_ADMINISTRATION
            self._cases(administration, samples, topics, members, rng, count)

    def _members(self, administration: Administration, code: str, rng: random.Random) -> dict:
        def person(prefix: str, role: str) -> User:
            user = self._user(_email(prefix, code), rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
            account_services.membership_create(
                user=user, administration=administration, role=role, team="Accueil"
            )
            return user

        return {
            "administrator": person("administrateur", Role.ADMINISTRATOR),
            "manager": person("manager", Role.MANAGER),
            "agents": [person(f"agent{i}", Role.AGENT) for i in (1, 2, 3)],
        }

    def _cases(self, administration, samples, topics, members, rng: random.Random, count) -> None:
        now = timezone.now()
        manager = members["manager"]
        for number in range(count):
            sample = (
                samples[number % len(samples)] if number < len(samples) else rng.choice(samples)
            )
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            created = now - dt.timedelta(days=rng.uniform(0, 40), hours=rng.uniform(0, 8))
            channel = sample["channel"] if sample["channel"] in Channel.values else "web_form"
            case = case_services.case_create(
                actor=None,
                administration=administration,
                channel=channel,
                subject=sample["subject"],
                body=sample["body"].replace("{name}", name),
                usager_name=name,
                usager_email=f"{_ascii(name.split()[0])}.{number}@exemple.fr",
                topic=topics.get(sample["topic"]),
                priority=rng.choices([1, 2, 3, 4], weights=[2, 6, 2, 1])[0],
                created_at=created,
            )
            roll = rng.random()
            if roll < 0.22:
                continue  # stays in the queue
            agent = rng.choice(members["agents"])
            case = case_services.case_assign(actor=manager, case=case, assignee=agent)
            if roll < 0.40:
                continue  # assigned, not started
            case_services.case_mark_opened(actor=agent, case=case)
            case = case_services.case_transition(actor=agent, case=case, action="start")
            if roll < 0.50:
                continue
            if roll < 0.56:
                case_services.case_transition(actor=agent, case=case, action="await_usager")
                continue
            body = self._reply_for(case, sample, name, administration, rng, agent=agent)
            case_services.case_send_reply(actor=agent, case=case, body=body)
            if roll > 0.90:
                case_services.case_transition(actor=agent, case=case, action="close")
            answered = self._backdate(case, created, rng)
            if rng.random() < 0.45:
                # About half the usagers answer the survey; ratings drawn the same for every
                # case, so the demo's impact report shows no invented effect.
                response = satisfaction_record(
                    case=case,
                    rating=rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 5, 5])[0],
                    answered=rng.choices(["yes", "partly", "no"], weights=[6, 3, 1])[0],
                    comment=rng.choice(SURVEY_COMMENTS),
                )
                # Answered a few hours to three days after the reply, not all at seeding time
                # (the dashboard's periods would all count every response). A generator of its
                # own: the demo's other draws stay as they were.
                later = answered + dt.timedelta(hours=random.Random(case.pk).uniform(2, 72))
                SatisfactionResponse.objects.filter(pk=response.pk).update(
                    created_at=min(later, timezone.now())
                )

    def _reply_for(self, case: Case, sample, name: str, administration, rng, *, agent: User) -> str:
        """The agent's reply (``agent``, the case's assignee): the draft as shown (often
        edited), or the sample's own reply.

        A draft is sent as an agent would send it (see ``as_sent``): no ``[n]`` marker, one
        acknowledgement, no internal subject quoted back, the fiches' links as references.
        """
        suggestion = (
            Suggestion.objects.filter(case=case, status=Suggestion.Status.READY)
            .order_by("-sequence")
            .first()
        )
        written = "\n\n".join(
            [
                sample["reply"].replace("{name}", name),
                administration.closing,
                administration.signature,
            ]
        )
        if suggestion is None or not is_volunteer(agent, case.administration_id):
            return written
        suggestion_services.suggestion_mark_shown(actor=agent, suggestion=suggestion)
        roll = rng.random()
        if roll < 0.35:
            return as_sent(suggestion, case)
        if roll < 0.85:
            return as_sent(
                suggestion,
                case,
                edits={
                    "Voici les éléments de réponse.": (
                        "Voici les éléments de réponse, vérifiés pour votre situation."
                    )
                },
                addition="N'hésitez pas à nous recontacter si besoin.",
            )
        return written

    def _backdate(self, case: Case, created: dt.datetime, rng: random.Random) -> dt.datetime:
        # Demo only: spread the handling times over realistic hours instead of "just now".
        assigned = created + dt.timedelta(hours=rng.uniform(1, 30))
        opened = assigned + dt.timedelta(minutes=rng.uniform(5, 600))
        answered = opened + dt.timedelta(minutes=rng.uniform(4, 45))
        Case.objects.filter(pk=case.pk).update(
            assigned_at=assigned,
            first_opened_at=opened,
            answered_at=answered,
        )
        return answered

    def _password_shown(self) -> str:
        if self._password == DEMO_PASSWORD or self._created:
            return self._password
        return "the one printed when these accounts were created"

    def _print_logins(self) -> None:
        lines = [
            "",
            "Demo logins (password for all: " + self._password_shown() + ")",
            "  national staff (superuser):       national@demo.guichet.fr",
            "  agent in two administrations:     camille.multi@demo.guichet.fr",
            "  agents 1 and 2 and managers volunteered for the drafts; agents 3 did not.",
        ]
        for code, name, *_ in ADMINISTRATIONS:
            lines.append(f"  {name}")
            lines.append(
                f"    administrator {_email('administrateur', code)}   manager "
                f"{_email('manager', code)}   agents {_email('agent1', code)}, agent2…, agent3…"
            )
        open_cases = Case.objects.filter(status__in=[Status.NEW, Status.ASSIGNED]).count()
        lines.append(f"  {Case.objects.count()} cases, {open_cases} waiting for an agent.")
        self.stdout.write("\n".join(lines))
