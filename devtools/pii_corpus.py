"""A synthetic corpus of usagers' messages with planted identifiers, to measure pseudonymisation.

Every identifier is made up (names from lists, numbers from a seeded generator, keys and IBAN
checksums computed), so the corpus can be generated anywhere and committed to nowhere. The
messages imitate what reaches a public service: several administrations, identifiers written
the many ways people write them, and things that must *not* be masked (deadlines, amounts,
case references), which are recorded too.

Run ``python -m devtools.pii_corpus`` for the figures on 1,000 messages.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drafting.suggestions.pseudonymise import KINDS, pseudonymise

__all__ = ["Sample", "control_texts", "generate_corpus", "main", "measure"]


@dataclass
class Sample:
    text: str
    known_names: list[str]
    planted: list[tuple[str, str]]  # (kind, substring exactly as written in ``text``)
    # Substrings that pseudonymisation must leave alone: deadlines, amounts, references.
    keep: list[str] = field(default_factory=list)


# --- vocabulary -------------------------------------------------------------------------------

_FIRST_F = (
    "Marie-Hélène", "Éloïse", "Françoise", "Léa", "Chloé", "Hélène", "Inès", "Zoé", "Anaïs",
    "Gaëlle", "Cécile", "Agnès", "Thérèse", "Fatima", "Aïcha", "Yasmine", "Aminata",
    "Anne-Sophie", "Lucie", "Nathalie", "Océane", "Camille", "Ludivine", "Marie", "Joséphine",
    "Noémie", "Maëlys", "Solène", "Bérénice", "Thi Hoa",
)  # fmt: skip
_FIRST_M = (
    "Jean-Pierre", "Noël", "Jérôme", "Maël", "Joël", "Raphaël", "Loïc", "Benoît", "Frédéric",
    "Stéphane", "Mohamed", "Karim", "Mamadou", "Jean", "Paul", "Sébastien", "Kévin", "Grégoire",
    "Jean-Baptiste", "Pierre", "François", "Hervé", "Théo", "Mathéo", "Rémi", "Yannick",
    "Ahmed", "Julien", "Didier", "Bruno",
)  # fmt: skip
_LAST = (
    "Dupont-Martin", "Lefèvre", "Bénard", "de La Fontaine", "Le Gall", "N'Diaye", "Da Silva",
    "Ben Ali", "Nguyen", "Moreau", "Girard", "Rousseau", "Faure", "Chevalier", "Gauthier",
    "Perrin", "Mercier", "Boyer", "Garnier", "Lemaître", "Kowalski", "Fernandes", "Haddad",
    "Traoré", "Diallo", "Coulibaly", "d'Almeida", "Petit", "Blanc", "Roux", "Lebrun", "Müller",
    "Öztürk", "López", "García", "Dubois-Lefort", "de Villiers", "Bernard", "Duval", "Hoarau",
    "Payet", "Grondin", "Le Bihan", "Saïdi", "Brahimi", "Rivière", "Léger", "Besnard",
    "Vasseur", "Carré",
)  # fmt: skip
_SONS = ("Lucas", "Nathan", "Gabriel", "Adam", "Timéo", "Noah", "Sacha", "Aylan", "Maël")
_DAUGHTERS = ("Emma", "Jade", "Louise", "Inaya", "Manon", "Ambre", "Lina", "Éléna", "Zélie")
_AGENTS = ("Durand", "Lambert", "Fournier", "Morel", "Giraud", "Robin", "Clément", "Barbier")
_DOMAINS = (
    "gmail.com", "orange.fr", "laposte.net", "free.fr", "hotmail.fr", "yahoo.fr", "sfr.fr",
    "outlook.com", "wanadoo.fr", "icloud.com",
)  # fmt: skip
_STREETS = (
    "des Lilas", "Jean Jaurès", "Victor Hugo", "de la République", "du Moulin", "des Peupliers",
    "Pasteur", "du Général de Gaulle", "du 8 Mai 1945", "Voltaire", "de Paris", "des Écoles",
    "Saint-Exupéry", "de l'Église", "Émile Zola", "Gambetta", "des Acacias", "du Stade",
    "des Jardins", "Anatole France", "de la Gare", "Georges Brassens", "des Tilleuls",
)  # fmt: skip
_STREET_TYPES = (
    "rue", "rue", "rue", "avenue", "boulevard", "impasse", "allée", "chemin", "route", "place",
    "quai", "square", "Rue", "Avenue", "bd", "av.",
)  # fmt: skip
_CITIES = (
    "75011 Paris", "69003 Lyon", "13008 Marseille", "59000 Lille", "33000 Bordeaux",
    "97400 Saint-Denis", "20000 Ajaccio", "44000 Nantes", "67000 Strasbourg", "31000 Toulouse",
    "35000 Rennes", "76600 Le Havre", "85000 La Roche-sur-Yon", "59650 Villeneuve-d'Ascq",
    "62100 CALAIS", "06000 Nice", "01000 Bourg-en-Bresse", "29200 Brest", "87000 Limoges",
    "93200 Saint-Denis", "13100 Aix-en-Provence", "64100 Bayonne",
)  # fmt: skip
_LIEUX_DITS = ("Les Granges", "La Croix Blanche", "Le Bourg", "Les Hauts de Cambon", "Kerlann")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
_IBAN_LENGTHS = {"FR": 27, "DE": 22, "BE": 16, "ES": 24, "IT": 27, "PT": 25, "LU": 20, "MC": 27}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- identifiers ------------------------------------------------------------------------------


@dataclass
class _Person:
    first: str
    last: str
    female: bool
    birth: tuple[int, int, int]  # day, month, year


def _person(rng: random.Random) -> _Person:
    female = rng.random() < 0.5
    first = rng.choice(_FIRST_F if female else _FIRST_M)
    birth = (rng.randint(1, 28), rng.randint(1, 12), rng.randint(1945, 2004))
    return _Person(first, rng.choice(_LAST), female, birth)


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(("6", "6", "6", "7", "7", "1", "2", "3", "4", "5", "9"))
    digits = prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))
    pairs = [digits[1:3], digits[3:5], digits[5:7], digits[7:9]]
    style = rng.randrange(12)
    if style == 0:
        return "0" + digits
    if style in (1, 2):
        return " ".join(["0" + digits[0], *pairs])
    if style == 3:
        return ".".join(["0" + digits[0], *pairs])
    if style == 4:
        return "-".join(["0" + digits[0], *pairs])
    if style == 5:
        return "+33 " + " ".join([digits[0], *pairs])
    if style == 6:
        return "+33" + digits
    if style == 7:
        return "0033 " + " ".join([digits[0], *pairs])
    if style == 8:
        return "+33 (0)" + " ".join([digits[0], *pairs])
    if style == 9:
        return "0" + digits[0] + "\u00a0" + "\u00a0".join(pairs)
    if style == 10:
        return "/".join(["0" + digits[0], *pairs])
    return f"0{digits[:3]} {digits[3:6]} {digits[6:]}"


def _nir(rng: random.Random, person: _Person) -> str:
    _day, month, year = person.birth
    sex = "2" if person.female else "1"
    kind = rng.randrange(10)
    if kind == 0:
        dept, commune = rng.choice(("2A", "2B")), f"{rng.randint(1, 366):03d}"
    elif kind == 1:
        dept, commune = f"97{rng.randint(1, 6)}", f"{rng.randint(1, 34):02d}"
    else:
        dept = f"{rng.choice([d for d in range(1, 96) if d != 20]):02d}"
        commune = f"{rng.randint(1, 999):03d}"
    order = f"{rng.randint(1, 999):03d}"
    base = f"{sex}{year % 100:02d}{month:02d}{dept}{commune}{order}"
    key = f"{97 - int(base.replace('2A', '19').replace('2B', '18')) % 97:02d}"
    groups = [sex, base[1:3], base[3:5], dept, commune, order]
    style = rng.randrange(9)
    if style in (0, 1, 2):
        return " ".join([*groups, key])
    if style == 3:
        return base + key
    if style == 4:
        return base + " " + key
    if style == 5:
        return " ".join(groups)
    if style == 6:
        return base
    if style == 7:
        return "-".join([*groups, key])
    return ".".join([*groups, key])


def _iban(rng: random.Random) -> str:
    country = rng.choice(("FR",) * 6 + tuple(_IBAN_LENGTHS))
    bban_length = _IBAN_LENGTHS[country] - 4
    bban = "".join(str(rng.randint(0, 9)) for _ in range(bban_length))
    if country == "FR" and rng.random() < 0.2:
        # French account numbers may contain letters.
        bban = bban[:12] + rng.choice("ABCDEFGHJK") + bban[13:]
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    compact = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    groups = [compact[i : i + 4] for i in range(0, len(compact), 4)]
    style = rng.randrange(8)
    if style in (0, 1, 2):
        return " ".join(groups)
    if style == 3:
        return compact
    if style == 4:
        return compact.lower()
    if style == 5:
        return " ".join(groups).lower()
    if style == 6:
        return "-".join(groups)
    return f"{compact[:2]} {compact[2:4]} " + " ".join(groups[1:])


def _email(rng: random.Random, person: _Person) -> str:
    first = re.sub(r"[^a-z]", "", _plain(person.first).lower())
    last = re.sub(r"[^a-z-]", "", _plain(person.last).lower().replace(" ", ""))
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first[0]}.{last}",
            f"{first}{last}{person.birth[2] % 100:02d}",
            f"{last}.{first}",
            f"{first}_{last}{rng.randint(1, 99)}",
        )
    )
    domain = rng.choice(_DOMAINS)
    style = rng.randrange(9)
    if style == 0:
        return f"{local.capitalize()}@{domain.capitalize()}"
    if style == 1:
        return f"{local} at {domain}"
    if style == 2:
        name, _, tld = domain.rpartition(".")
        return f"{local} (at) {name} (dot) {tld}"
    if style == 3:
        return f"{local}@{domain}".upper()
    return f"{local}@{domain}"


def _date(rng: random.Random, birth: tuple[int, int, int]) -> str:
    day, month, year = birth
    style = rng.randrange(9)
    if style == 0:
        return f"{day:02d}/{month:02d}/{year}"
    if style == 1:
        return f"{day}/{month}/{year}"
    if style == 2:
        return f"{day:02d}-{month:02d}-{year}"
    if style == 3:
        return f"{day:02d}.{month:02d}.{year % 100:02d}"
    if style == 4:
        return f"{day} {_MONTHS[month - 1]} {year}"
    if style == 5:
        return f"{'1er' if day == 1 else day} {_MONTHS[month - 1].capitalize()} {year}"
    if style == 6:
        return f"{year}-{month:02d}-{day:02d}"
    if style == 7:
        return f"{day:02d}/{month:02d}/{year % 100:02d}"
    return f"{day:02d} {month:02d} {year}"


# --- message assembly -------------------------------------------------------------------------

_Segment = tuple[str, str | None]  # (text, kind or None for plain text, "KEEP" for keep)


class _Message:
    def __init__(self, rng: random.Random, person: _Person, known: bool) -> None:
        self.rng = rng
        self.person = person
        # Without a known name, the name must be findable from a cue in the text.
        self.known = known

    # Names ------------------------------------------------------------------------------------

    def full_name(self) -> list[_Segment]:
        first, last = self.person.first, self.person.last
        styles = ["plain", "upper_last", "last_first"]
        if self.known:
            styles += ["all_caps", "lower", "spaced"]
        style = self.rng.choice(styles)
        if style == "upper_last":
            return [(first, "NOM"), (" ", None), (last.upper(), "NOM")]
        if style == "last_first":
            return [(last.upper(), "NOM"), (" ", None), (first, "NOM")]
        if style == "all_caps":
            return [(first.upper(), "NOM"), (" ", None), (last.upper(), "NOM")]
        if style == "lower":
            return [(_plain(first).lower(), "NOM"), (" ", None), (_plain(last).lower(), "NOM")]
        if style == "spaced":
            return [(first.replace("-", " "), "NOM"), (" ", None), (last, "NOM")]
        return [(first, "NOM"), (" ", None), (last, "NOM")]

    def civility(self) -> str:
        if self.person.female:
            return self.rng.choice(("Mme", "Madame", "Mme."))
        return self.rng.choice(("M.", "Monsieur", "M"))

    def surname_mention(self) -> list[_Segment]:
        last = self.person.last
        if self.known and self.rng.random() < 0.3:
            return [(self.rng.choice(("la famille ", "le dossier ")), None), (last, "NOM")]
        spelled = last.upper() if self.rng.random() < 0.4 else last
        return [(self.civility() + " ", None), (spelled, "NOM")]

    def intro(self) -> list[_Segment]:
        verb = self.rng.choice(
            (
                "Je m'appelle ",
                "Je suis ",
                "Je m\u2019appelle ",
                "Je soussignée " if self.person.female else "Je soussigné ",
            )
        )
        return [(verb, None), *self.full_name(), (". ", None)]

    def signature(self) -> list[_Segment]:
        rng = self.rng
        style = rng.randrange(10)
        closing = rng.choice(
            (
                "Cordialement,",
                "Bien cordialement",
                "Merci d'avance.",
                "Bien à vous,",
                "Salutations distinguées.",
                "En vous remerciant par avance,",
                "Merci beaucoup",
                "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
            )
        )
        if style == 0:
            return [("\n\nCordialement, ", None), *self.full_name()]
        if style == 1:
            return [(f"\n\n{closing}\n", None), (self.person.first, "NOM")]
        if style == 2:
            return [(f"\n\n{closing}\n\n", None), *self.surname_mention()]
        if style == 3:
            return [("\n\nSigné : ", None), *self.full_name()]
        if style == 4:
            return [("\n\n", None), *self.full_name()]
        if style == 5:
            return [(f"\n\n{closing}\n", None), *self.full_name(), ("\n", None), *self.phone()]
        if style == 6:
            initials = "-".join(part[0] + "." for part in self.person.first.split("-"))
            return [(f"\n\n{closing}\n{initials} ", None), (self.person.last, "NOM")]
        return [(f"\n\n{closing}\n", None), *self.full_name()]

    # Structured identifiers ---------------------------------------------------------------

    def phone(self) -> list[_Segment]:
        return [(_phone(self.rng), "TEL")]

    def email(self) -> list[_Segment]:
        return [(_email(self.rng, self.person), "EMAIL")]

    def nir(self) -> list[_Segment]:
        return [(_nir(self.rng, self.person), "NIR")]

    def iban(self) -> list[_Segment]:
        return [(_iban(self.rng), "IBAN")]

    def dob(self) -> list[_Segment]:
        rng = self.rng
        born = "née" if self.person.female else "né"
        cue = rng.choice(
            (
                f"{born} le ",
                f"{born} le ",
                "né(e) le ",
                "date de naissance : ",
                "Date de naissance: ",
                "DDN ",
                "DDN : ",
                f"{born} à Lyon le ",
                "date de naissance ",
            )
        )
        return [(cue, None), (_date(rng, self.person.birth), "DATE_NAISSANCE")]

    def address(self) -> list[_Segment]:
        rng = self.rng
        city = rng.choice(_CITIES)
        if rng.random() < 0.1:
            street = f"{rng.choice(('lieu-dit', 'Lieu-dit', 'lieudit'))} {rng.choice(_LIEUX_DITS)}"
        else:
            number = str(rng.randint(1, 180))
            number += rng.choice(("",) * 6 + (" bis", "bis", " ter", "B"))
            kind = rng.choice(_STREET_TYPES)
            name = rng.choice(_STREETS)
            separator = ", " if rng.random() < 0.15 else " "
            street = f"{number}{separator}{kind} {name}"
            if rng.random() < 0.1:
                street = street.lower()
        joint = rng.choice((", ", " ", "\n", ",\n", None))
        if joint is None:
            return [(street, "ADRESSE")]
        return [(street, "ADRESSE"), (joint, None), (city, "ADRESSE")]

    def ident(self) -> list[_Segment]:
        rng = self.rng
        style = rng.randrange(4)
        if style == 0:
            return [
                ("numéro allocataire : ", None),
                (f"{rng.randint(1000000, 9999999)}", "IDENTIFIANT"),
            ]
        if style == 1:
            return [
                ("n° allocataire CAF ", None),
                (f"{rng.randint(1000000, 9999999)}", "IDENTIFIANT"),
            ]
        if style == 2:
            number = f"{rng.randint(0, 3)}{rng.randint(0, 10**12 - 1):012d}"
            return [("numéro fiscal : ", None), (number, "IDENTIFIANT")]
        number = f"{rng.randint(1000000, 9999999)}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
        return [("identifiant France Travail : ", None), (number, "IDENTIFIANT")]

    def child(self) -> list[_Segment]:
        rng = self.rng
        if rng.random() < 0.2:
            first, second = rng.choice(_SONS), rng.choice(_DAUGHTERS)
            return [("mes enfants ", None), (first, "NOM"), (" et ", None), (second, "NOM")]
        if rng.random() < 0.5:
            return [(rng.choice(("mon fils ", "mon enfant ")), None), (rng.choice(_SONS), "NOM")]
        return [(rng.choice(("ma fille ", "mon enfant ")), None), (rng.choice(_DAUGHTERS), "NOM")]

    def first_name(self) -> list[_Segment]:
        # The usager's first name on its own ("Marie-Hélène a appelé"): findable when the case
        # knows the name, or after the text has given it in full.
        return [(self.person.first, "NOM")]

    def agent(self) -> list[_Segment]:
        civility = self.rng.choice(("Mme ", "M. ", "Madame ", "Monsieur "))
        return [(civility, None), (self.rng.choice(_AGENTS), "NOM")]

    # Things that must stay -----------------------------------------------------------------

    def deadline(self) -> list[_Segment]:
        rng = self.rng
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        value = rng.choice(
            (
                f"{day:02d}/{month:02d}/2026",
                f"{day} {_MONTHS[month - 1]} 2026",
                f"{day:02d}-{month:02d}-2026",
                f"{day:02d}.{month:02d}.2026",
            )
        )
        return [(value, "KEEP")]

    def amount(self) -> list[_Segment]:
        rng = self.rng
        euros = rng.randint(12, 4800)
        value = rng.choice(
            (
                f"{euros:,} €".replace(",", " "),
                f"{euros:,},{rng.randint(0, 99):02d} €".replace(
                    ",", " ", 1 if euros >= 1000 else 0
                ),
                f"{euros} euros",
            )
        )
        return [(value, "KEEP")]

    def reference(self) -> list[_Segment]:
        rng = self.rng
        code = rng.choice(("CAF69", "CPAM75", "DGFIP33", "FT13", "ANTS", "MSA44", "CARSAT59"))
        return [(f"{code}-2026-{rng.randint(1, 999999):06d}", "KEEP")]


# Templates: "{slot}" is filled by the _Message method of that name. Every template is a message
# a public service could receive; together they cover the administrations Guichet serves.
_TEMPLATES = (
    # CAF
    "Bonjour,\n{intro}Je perçois l'APL et mon propriétaire a augmenté le loyer. Mon adresse est "
    "{address}. Pouvez-vous recalculer mes droits avant le {deadline} ? Vous pouvez me joindre "
    "au {phone}.{signature}",
    "Madame, Monsieur,\n{intro}Suite à la naissance de {child}, {dob}, je souhaite savoir si j'ai "
    "droit à la PAJE. Mon {ident}.{signature}",
    "Bonjour, je n'ai pas reçu mon RSA ce mois-ci ({amount} habituellement). Dossier "
    "{reference}. Mon RIB : {iban}. Merci de me rappeler au {phone}.{signature}",
    "Bonjour,\nLa CAF me réclame un trop-perçu de {amount}. Je ne comprends pas, j'ai déclaré "
    "mes ressources. {surname_mention}, {address}. Téléphone : {phone}{signature}",
    "Objet : changement de situation\n\n{intro}Je me suis séparée et j'ai déménagé au {address}. "
    "Mon nouveau mail : {email}. Mon {ident}.{signature}",
    # CPAM
    "Bonjour,\nJ'ai perdu ma carte Vitale. Mon numéro de sécurité sociale est le {nir}, {dob}. "
    "Merci de m'envoyer une nouvelle carte à l'adresse suivante : {address}.{signature}",
    "Madame, Monsieur,\nMon arrêt maladie du {deadline} n'a pas été indemnisé. Voici mon NIR : "
    "{nir}. Mes coordonnées bancaires : {iban}. Joignable au {phone}.{signature}",
    "Bonjour,\n{intro}Je souhaite une attestation de droits pour {child}. Numéro de sécu : {nir}."
    "{signature}",
    "Bonjour,\nJe demande la complémentaire santé solidaire. {surname_mention}, {dob}, "
    "domicilié au {address}. Mon e-mail : {email}{signature}",
    "Bonjour,\nLe remboursement de {amount} pour ma consultation du {deadline} n'est jamais "
    "arrivé. Mon IBAN a changé : {iban}. NIR {nir}.{signature}",
    # Impôts
    "Bonjour,\n{intro}Mon taux de prélèvement à la source est trop élevé depuis janvier. Mon "
    "{ident}. Je vous remercie de me contacter au {phone} ou par mail {email}.{signature}",
    "Madame, Monsieur,\nJ'ai reçu un avis de taxe d'habitation pour {address} alors que j'ai "
    "déménagé. Merci de corriger avant le {deadline}. Référence {reference}.{signature}",
    "Bonjour, je souhaite le remboursement du trop-payé de {amount}. Voici mon RIB : {iban}. "
    "{surname_mention}, joignable au {phone}.{signature}",
    "Bonjour,\nJe n'arrive pas à me connecter à mon espace particulier. Mon {ident} et mon "
    "adresse mail {email}. {dob}.{signature}",
    # France Travail
    "Bonjour,\n{intro}Je suis inscrit depuis mars et je n'ai toujours pas reçu mon ARE. Mon "
    "{ident}. Téléphone {phone}. RIB : {iban}.{signature}",
    "Bonjour,\nJ'ai été radié alors que j'étais en rendez-vous médical le {deadline}. Merci de "
    "revoir ma situation. {surname_mention}, {address}.{signature}",
    "Madame, Monsieur,\nJe voudrais financer une formation avec mon CPF. Mon conseiller, "
    "{agent}, ne répond plus. Vous pouvez m'écrire à {email}.{signature}",
    # ANTS
    "Bonjour,\n{intro}Ma demande de carte grise {reference} est bloquée depuis deux mois. Mon "
    "adresse : {address}. Tel : {phone}.{signature}",
    "Bonjour,\nJe dois renouveler mon passeport, {dob}. Le rendez-vous en mairie est fixé au "
    "{deadline}. Mon mail : {email}{signature}",
    "Bonjour, mon permis de conduire n'est pas arrivé. {surname_mention}, {address}. "
    "Mobile : {phone}.{signature}",
    # MSA, URSSAF, CARSAT, MDPH, préfecture, mairie
    "Bonjour,\n{intro}Je suis exploitant agricole et la MSA me réclame {amount} de cotisations. "
    "NIR : {nir}. RIB : {iban}.{signature}",
    "Bonjour,\nEn tant qu'auto-entrepreneur, j'ai payé deux fois ma cotisation de {amount}. "
    "Merci de me rembourser sur {iban}. Contact : {email} / {phone}.{signature}",
    "Madame, Monsieur,\nJe prépare mon départ en retraite pour le {deadline}. {dob}. Mon numéro "
    "de sécurité sociale : {nir}. Adresse : {address}.{signature}",
    "Bonjour,\n{intro}J'ai déposé un dossier MDPH pour {child} il y a six mois, référence "
    "{reference}. Pouvez-vous me dire où il en est ? {phone}{signature}",
    "Bonjour,\nMon titre de séjour expire le {deadline}. {surname_mention}, {dob}, "
    "demeurant au {address}. Merci de me répondre à {email}.{signature}",
    "Bonjour,\nJe demande un acte de naissance pour {child}, {dob}. Mon adresse : {address}."
    "{signature}",
    "Bonjour,\n{intro}Ma fille m'aide à écrire : moi, {first_name}, je n'arrive plus à me "
    "connecter à mon compte ameli depuis le {deadline}. NIR : {nir}. Rappelez-nous au {phone}."
    "{signature}",
    "Bonjour,\nJ'ai eu {agent} au téléphone qui m'a dit de vous écrire. {intro}Mon numéro "
    "{phone} et mon adresse mail {email}. Dossier {reference}.{signature}",
    "Objet : réclamation\n\nBonjour,\nJe conteste la décision du {deadline} qui me refuse la "
    "prime d'activité. {surname_mention}, {address}, {phone}.{signature}",
    "Bonjour,\n{intro}Pourriez-vous m'envoyer une attestation de paiement ? IBAN {iban}, "
    "{dob}, tel {phone}. Je dois la fournir avant le {deadline}.{signature}",
    "Bonjour,\nSuite à mon accident du travail, je n'ai perçu que {amount}. NIR {nir}. "
    "Pouvez-vous rappeler {surname_mention} au {phone} ?{signature}",
)

_SLOT_RE = re.compile(r"\{(\w+)\}")


def _build(template: str, message: _Message) -> tuple[str, list[tuple[int, int, str]]]:
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    length = 0
    for index, piece in enumerate(_SLOT_RE.split(template)):
        segments: Sequence[_Segment]
        if index % 2:
            producer: Callable[[], list[_Segment]] = getattr(message, piece)
            segments = producer()
        else:
            segments = [(piece, None)]
        for text, kind in segments:
            if kind is not None:
                spans.append((length, length + len(text), kind))
            parts.append(text)
            length += len(text)
    return "".join(parts), spans


def _sound(text: str, spans: list[tuple[int, int, str]]) -> bool:
    """True if every planted string occurs only where it was planted.

    Otherwise "the string no longer occurs" would not mean "the identifier was masked".
    """
    covered = [(start, end) for start, end, kind in spans if kind != "KEEP"]
    for start, end, _ in spans:
        needle = text[start:end]
        position = text.find(needle)
        while position != -1:
            stop = position + len(needle)
            inside = any(s <= position and stop <= e for s, e in covered)
            if not inside and (position, stop) != (start, end):
                return False
            position = text.find(needle, position + 1)
    return True


def generate_corpus(n: int = 600, seed: int = 7) -> list[Sample]:
    """``n`` messages, the same for the same ``seed``."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    while len(samples) < n:
        template = _TEMPLATES[len(samples) % len(_TEMPLATES)]
        person = _person(rng)
        known = rng.random() < 0.8
        message = _Message(rng, person, known)
        if not known and "{intro}" not in template and rng.random() < 0.5:
            template = template.replace("Bonjour,\n", "Bonjour,\n{intro}", 1)
        text, spans = _build(template, message)
        if not _sound(text, spans):
            continue
        known_names = [_known_name(rng, person)] if known else []
        samples.append(
            Sample(
                text=text,
                known_names=known_names,
                planted=list(dict.fromkeys((k, text[s:e]) for s, e, k in spans if k != "KEEP")),
                keep=list(dict.fromkeys(text[s:e] for s, e, k in spans if k == "KEEP")),
            )
        )
    return samples


def _known_name(rng: random.Random, person: _Person) -> str:
    style = rng.randrange(6)
    if style == 0:
        return f"{person.last.upper()} {person.first}"
    if style == 1:
        return f"{person.first} {person.last.upper()}"
    if style == 2:
        return f"{'Mme' if person.female else 'M.'} {person.first} {person.last}"
    return f"{person.first} {person.last}"


# --- control texts ----------------------------------------------------------------------------

_CONTROLS = (
    "Madame, Monsieur,\nVotre dossier {ref} a bien été reçu. Merci de nous retourner les pièces "
    "avant le {deadline}. Le montant restant dû est de {amount}.\nCordialement,\nLe service des "
    "prestations",
    "Bonjour,\nJe n'ai pas reçu le versement de {amount} prévu le {deadline}. Est-ce normal ?\n"
    "Merci d'avance.\nUn allocataire inquiet",
    "Bonjour, le délai de réponse est fixé au {deadline} conformément à l'article L. 262-2 du "
    "code de l'action sociale et des familles. Référence : {ref}.",
    "Monsieur le Directeur,\nJe conteste la décision du {deadline} (article 1729 du CGI). La "
    "pénalité de {amount} me semble excessive. Dossier {ref}.\nBien à vous.",
    "Bonjour,\nIl reste 1 place en crèche et 2 places de parking. Le 3 cours de soutien est "
    "annulé. Le rendez-vous est à 14h30 le {deadline}.",
    "Bonjour, je suis né en France et j'habite en Bretagne depuis 2019. Mon loyer est passé de "
    "{amount} à 700 €, soit 12,5 % de plus. Que faire ?",
    "Madame la Directrice,\nLa loi n° 2019-1479 du 28 décembre 2019 prévoit un délai de 2 mois. "
    "Ma demande date du {deadline}. Référence {ref}.\nRespectueusement",
    "Bonjour,\nJ'ai appelé le 3230 et le 39 49 sans réponse. Le formulaire cerfa n° 10069*14 "
    "est-il toujours valable ? Merci.\nFrance Services",
    "Bonjour,\nPouvez-vous m'indiquer les horaires de l'agence ? Du lundi au vendredi de 8h30 à "
    "17h ? Le courrier du {deadline} mentionne {amount}.\nBonne journée",
    "Madame, Monsieur,\nSuite à votre courrier {ref} du {deadline}, je vous adresse les 3 "
    "justificatifs demandés (décret n° 2021-1234). Montant : {amount}.\nSalutations distinguées.",
    "Bonjour,\nMon fils a 3 ans et ma fille 5 ans. La prime de {amount} sera-t-elle versée avant "
    "le {deadline} ? Le dossier porte le numéro {ref}.",
    "Bonjour,\nJe suis allocataire depuis 2015 et au RSA depuis le {deadline}. Mon solde est de "
    "{amount}.\nCordialement,\nPôle Emploi",
    "Objet : demande de remboursement\n\nBonjour, la facture n° 2026-0042 de {amount} a été "
    "payée le {deadline}. Référence {ref}. Merci de me confirmer.\nCordialement",
    "Bonjour,\nL'avis d'imposition 2025 indique un revenu fiscal de référence de {amount}. "
    "Le 2e acompte est dû le {deadline}.\nMerci pour votre aide",
    "Bonjour,\nLa route est coupée entre le 12 et le 15. Le bureau ferme le {deadline} à 12h. "
    "Rendez-vous au 2e étage, salle 204.\nÀ bientôt",
)


def control_texts(n: int = 150, seed: int = 11) -> list[str]:
    """Messages without any personal identifier: every replacement in them is a false positive."""
    rng = random.Random(seed)
    message = _Message(rng, _person(rng), True)
    texts = []
    for index in range(n):
        template = _CONTROLS[index % len(_CONTROLS)]
        text = template.format(
            ref=message.reference()[0][0],
            deadline=message.deadline()[0][0],
            amount=message.amount()[0][0],
        )
        texts.append(text)
    return texts


# --- measurement ------------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+_\d+\]")


def measure(samples: Sequence[Sample], controls: Sequence[str] | None = None) -> dict[str, Any]:
    """Recall per kind and overall, kept strings, and false positives on control texts.

    A planted identifier counts as found when its exact planted substring no longer occurs in
    the pseudonymised text (each part of a name, and a street and its "75011 Paris", are planted
    separately, so a half-masked identifier is a miss). A false positive is any placeholder put
    in a control text (``control_texts()`` unless ``controls`` is given).

    Keys: recall (per kind), planted (count per kind), overall_recall, keep_rate (deadlines,
    amounts, references left intact), false_positives, control_texts, seconds and cpu_seconds
    (pseudonymising the samples), missed and flagged_controls (for investigation).
    """
    found: dict[str, int] = {}
    total: dict[str, int] = {}
    kept = keep_total = 0
    missed: list[tuple[str, str]] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    outputs = [pseudonymise(s.text, known_names=s.known_names).text for s in samples]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    for sample, output in zip(samples, outputs, strict=True):
        for kind, planted in sample.planted:
            total[kind] = total.get(kind, 0) + 1
            if planted in output:
                missed.append((kind, planted))
            else:
                found[kind] = found.get(kind, 0) + 1
        for value in sample.keep:
            keep_total += 1
            kept += value in output
    controls = control_texts() if controls is None else controls
    false_positives = 0
    flagged: list[str] = []
    for text in controls:
        output = pseudonymise(text).text
        hits = len(_PLACEHOLDER_RE.findall(output))
        false_positives += hits
        if hits:
            flagged.append(output)
    kinds = [k for k in KINDS if k in total]
    return {
        "samples": len(samples),
        "recall": {k: found.get(k, 0) / total[k] for k in kinds},
        "planted": {k: total[k] for k in kinds},
        "overall_recall": sum(found.values()) / max(1, sum(total.values())),
        "keep_rate": kept / keep_total if keep_total else 1.0,
        "false_positives": false_positives,
        "control_texts": len(controls),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "missed": missed,
        "flagged_controls": flagged,
    }


def main(n: int = 1000) -> None:
    results = measure(generate_corpus(n))
    recall, planted = results["recall"], results["planted"]
    print(f"Pseudonymisation on {results['samples']} synthetic messages")
    for kind, value in recall.items():
        print(f"  {kind:<15} recall {value:7.2%}  ({planted[kind]} planted)")
    print(f"  {'overall':<15} recall {results['overall_recall']:7.2%}")
    print(f"  kept (deadlines, amounts, references): {results['keep_rate']:.2%}")
    print(
        f"  false positives on {results['control_texts']} control texts: "
        f"{results['false_positives']}"
    )
    print(
        f"  time for the {results['samples']} messages: {results['seconds'] * 1000:.0f} ms "
        f"({results['cpu_seconds'] * 1000:.0f} ms CPU)"
    )


if __name__ == "__main__":
    main()
