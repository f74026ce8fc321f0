"""Demo case samples, read from the data files beside this module.

Realistic messages from usagers (or notes written by counter agents) with a model reply from
an agent, used to populate demo data. People, phone numbers, e-mails, addresses and file
numbers are fictional. Rules and amounts are plausible for France in 2026 but illustrative,
not authoritative.

``cases/NN-<topic>.yaml`` hold the samples of one topic each, read in file-name order (the
order matters: seed_demo and bench_drafting draw from the list with a seeded generator).
``{name}`` may appear in ``body`` and ``reply``; it is filled with the usager's name. Replies
stop before the signature: the app appends the closing formula and the agent's signature.
``names.yaml`` holds the first and last names the demo's people are drawn from.

Values:
- topic: identite, vehicules, famille, logement, sante, impots, emploi, retraite, solidarite,
  handicap, etrangers, citoyennete, energie, etudes
- kinds: caf, cpam, ants, dgfip, france_travail, france_services, mairie
- channel: sp_plus, sp_question, france_services, email, phone, web_form
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import yaml

from . import DEMO_DIR

__all__ = ["FIRST_NAMES", "LAST_NAMES", "SAMPLES", "CaseSample", "load_names", "load_samples"]


class CaseSample(TypedDict):
    topic: str  # one of the topics listed above
    kinds: tuple[str, ...]  # administration kinds this sample fits
    channel: str  # one of the channels listed above
    subject: str  # short subject line, as the usager (or counter agent) would write it
    body: str  # the message, 2-8 sentences, informal French; may contain "{name}"
    reply: str  # the agent's reply, 4-10 sentences, without the final signature


FIELDS = ("kinds", "channel", "subject", "body", "reply")


def _read(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.CSafeLoader)


def load_samples(directory: Path = DEMO_DIR / "cases") -> list[CaseSample]:
    samples: list[CaseSample] = []
    for path in sorted(directory.glob("*.yaml")):
        data = _read(path)
        topic = data["topic"]
        for item in data["samples"]:
            if set(item) != set(FIELDS):
                raise ValueError(f"{path.name}: a sample has fields {sorted(item)}, not {FIELDS}")
            samples.append(
                CaseSample(
                    topic=topic,
                    kinds=tuple(item["kinds"]),
                    channel=item["channel"],
                    subject=item["subject"],
                    body=item["body"],
                    reply=item["reply"],
                )
            )
    return samples


def load_names(path: Path = DEMO_DIR / "names.yaml") -> tuple[list[str], list[str]]:
    data = _read(path)
    return data["first_names"], data["last_names"]


SAMPLES: list[CaseSample] = load_samples()
FIRST_NAMES, LAST_NAMES = load_names()
