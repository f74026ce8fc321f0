"""Synthetic history for ``bench_drafting``: answered cases and new questions, varied.

Answered cases are the demo samples (devtools/demo/cases/*.yaml) with other usagers, other
greetings and closings, a sentence left out or a sentence of context added, so that no two texts
are the same and the index has the spread of a real one. New questions are the labelled
retrieval questions (devtools/demo/retrieval_questions.jsonl), written in other words than the
samples. Nothing here touches the database: the command writes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from cases.models import Channel
from devtools.demo import DEMO_DIR, QUESTIONS_FILE
from devtools.demo.samples import FIRST_NAMES, LAST_NAMES, SAMPLES, CaseSample

GREETINGS = ["Bonjour,", "Bonjour", "Madame, Monsieur,", "Bonsoir,", "Bonjour madame, monsieur,"]
CLOSINGS = [
    "Merci d'avance.",
    "Cordialement.",
    "Merci pour votre aide.",
    "Dans l'attente de votre réponse, bonne journée.",
    "Merci de me répondre rapidement.",
    "Bien à vous.",
]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
# Context usagers add; no personal data, but numbers and dates that vary.
CONTEXTS = [
    "J'ai déjà appelé {n} fois sans obtenir de réponse.",
    "J'ai envoyé les documents le {day} {month}.",
    "Ma situation a changé il y a {n} mois.",
    "Je n'ai pas d'ordinateur à la maison, je vous écris depuis mon téléphone.",
    "Je vous écris pour ma mère qui ne sait pas se servir d'internet.",
    "C'est assez urgent pour moi.",
    "Je ne comprends pas le courrier que j'ai reçu le {day} {month}.",
    "J'ai cherché sur internet mais les informations ne sont pas claires.",
    "Mon dossier est en cours depuis {n} semaines.",
    "Je travaille à temps partiel depuis {month} {year}.",
    "Nous sommes {n} à la maison.",
    "Je suis passé à l'accueil le {day} {month} mais c'était fermé.",
    "On m'a dit au téléphone de vous écrire.",
    "J'habite la commune depuis {year}.",
]
REPLY_EXTRAS = [
    "N'hésitez pas à nous recontacter si besoin.",
    "Nous restons à votre disposition pour toute précision.",
    "Vous pouvez aussi prendre rendez-vous avec un conseiller.",
]
NEW_SUBJECTS = [
    "Demande d'information",
    "Question",
    "Besoin d'aide",
    "Ma situation",
    "Renseignement svp",
    "Question sur mes droits",
    "Demande urgente",
    "Une question",
]
# The usager questions of the drafting evaluation (covered, uncovered and off-topic ones).
EVAL_QUESTIONS = DEMO_DIR.parent / "eval" / "questions.jsonl"
_SENTENCE_RE = re.compile(r"(?<=[.?!])\s+")
_GREETING_RE = re.compile(r"^(?:bonjour|bonsoir|madame,? monsieur)\b[\s,!.]*", re.IGNORECASE)
CHANNELS = frozenset(Channel.values)


@dataclass(frozen=True)
class SyntheticCase:
    subject: str
    body: str
    reply: str
    usager_name: str
    channel: str
    topic_slug: str
    priority: int
    created_at: dt.datetime
    assigned_at: dt.datetime
    first_opened_at: dt.datetime
    answered_at: dt.datetime


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _context(rng: random.Random) -> str:
    return rng.choice(CONTEXTS).format(
        n=rng.randint(2, 9),
        day=rng.randint(1, 28),
        month=rng.choice(MONTHS),
        year=rng.randint(2005, 2025),
    )


def _vary(rng: random.Random, message: str, name: str, *, signed: bool) -> str:
    """Another usager writing the same thing: greeting, a sentence more or less, closing."""
    lines = [line.strip() for line in message.replace("{name}", name).splitlines()]
    lines = [line for line in lines if line and line != name]
    text = _GREETING_RE.sub("", " ".join(lines), count=1)
    text = text[:1].upper() + text[1:]
    sentences = [s for s in _SENTENCE_RE.split(text) if s]
    if len(sentences) > 3 and rng.random() < 0.3:
        sentences.pop(rng.randrange(1, len(sentences)))
    if rng.random() < 0.6:
        sentences.insert(rng.randrange(0, len(sentences) + 1), _context(rng))
    parts = []
    if rng.random() < 0.8:
        parts.append(rng.choice(GREETINGS))
    parts.append(" ".join(sentences))
    if rng.random() < 0.7:
        parts.append(rng.choice(CLOSINGS))
    if signed or rng.random() < 0.5:
        parts.append(name)
    return "\n\n".join(parts)


def answered_case(
    rng: random.Random, now: dt.datetime, *, closing: str, signature: str
) -> SyntheticCase:
    sample: CaseSample = rng.choice(SAMPLES)
    name = person(rng)
    subject = sample["subject"]
    roll = rng.random()
    if roll < 0.15:
        subject = subject[0].lower() + subject[1:]
    elif roll < 0.25:
        subject = f"{rng.choice(['Question', 'Demande', 'Urgent'])} : {subject}"
    reply = sample["reply"].replace("{name}", name)
    if rng.random() < 0.3:
        reply += "\n\n" + rng.choice(REPLY_EXTRAS)
    created = now - dt.timedelta(days=rng.uniform(2, 730), hours=rng.uniform(0, 8))
    assigned = created + dt.timedelta(hours=rng.uniform(1, 30))
    opened = assigned + dt.timedelta(minutes=rng.uniform(5, 600))
    return SyntheticCase(
        subject=subject[:300],
        body=_vary(rng, sample["body"], name, signed="{name}" in sample["body"]),
        reply="\n\n".join(part for part in (reply, closing, signature) if part),
        usager_name=name,
        channel=sample["channel"] if sample["channel"] in CHANNELS else Channel.WEB_FORM,
        topic_slug=sample["topic"],
        priority=rng.choices([1, 2, 3, 4], weights=[2, 6, 2, 1])[0],
        created_at=created,
        assigned_at=assigned,
        first_opened_at=opened,
        answered_at=opened + dt.timedelta(minutes=rng.uniform(4, 45)),
    )


def load_questions(path: Path = QUESTIONS_FILE) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def new_question(rng: random.Random, item: dict) -> tuple[str, str, str]:
    """(subject, body, usager name) of a new case asking ``item["question"]``."""
    name = person(rng)
    return rng.choice(NEW_SUBJECTS), _vary(rng, item["question"], name, signed=False), name


def answered_cases_batch(
    seed: int, size: int, now: dt.datetime, closing: str, signature: str
) -> list[tuple[SyntheticCase, None]]:
    """``size`` answered cases without index entries: past answers reach drafts through the
    answer bank, not through the search index (pure: runs in a worker process)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    return [
        (answered_case(rng, now, closing=closing, signature=signature), None) for _ in range(size)
    ]
