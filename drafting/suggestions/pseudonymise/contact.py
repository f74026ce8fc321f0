"""E-mail addresses (plain and obfuscated) and phone numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import _HS

# --- e-mail -----------------------------------------------------------------------------------

# Scanning for local parts everywhere is slow; addresses are found from their "@" instead.
_EMAIL_DOMAIN_AT = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
_EMAIL_LOCAL_CHARS = frozenset("._%+-")
# People dodge spam filters with "jean at gmail.com" or "jean (at) gmail (dot) com". The TLD list
# keeps " point " (a common French word) from turning prose into an address.
_OBF_AT = r"(?:[ \t]*[(\[{][ \t]*(?:at|arobase)[ \t]*[)\]}][ \t]*|[ \t]+(?:at|arobase)[ \t]+)"
_OBF_DOT = r"(?:\.|[ \t]*[(\[{][ \t]*(?:dot|point)[ \t]*[)\]}][ \t]*|[ \t]+(?:dot|point)[ \t]+)"
_OBF_TLD = r"(?:com|fr|net|org|eu|info|be|ch|lu|io|de|es|it|pt|uk|ca|ma|dz|tn|sn|re|gp|mq|yt|nc|pf)"
_EMAIL_OBF_RE = re.compile(
    rf"(?i:(?<![\w.%+-])[\w.%+-]{{1,64}}{_OBF_AT}"
    rf"(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?{_OBF_DOT}){{1,4}}{_OBF_TLD}(?![\w-]))"
)
_OBF_AT_KEY = re.compile(_OBF_AT, re.I)
_OBF_HINTS = (" at ", "(at)", "[at]", "{at}", "( at )", "arobase")
_OBF_DOT_KEY = re.compile(_OBF_DOT, re.I)


def _emails(text: str) -> Iterable[tuple[int, int]]:
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start < 64:
            char = text[start - 1]
            if not (char.isalnum() or char == "_" or char in _EMAIL_LOCAL_CHARS):
                break
            start -= 1
        while start < at and text[start] == ".":
            start += 1
        domain = _EMAIL_DOMAIN_AT.match(text, at + 1)
        if start < at and domain:
            yield start, domain.end()
        at = text.find("@", at + 1)


def _email_key(value: str) -> str:
    value = _OBF_AT_KEY.sub("@", value)
    local, _, domain = value.partition("@")
    return (local.strip() + "@" + _OBF_DOT_KEY.sub(".", domain).replace(" ", "")).lower()


# --- phone ------------------------------------------------------------------------------------

_PHONE_SEP = r"[ \u00a0\u202f.\-/]"
# Overseas departments and territories use the same 9 national digits behind their own code.
_PHONE_CC = r"(?:33|262|269|508|590|594|596|681|687|689)"
# Every pattern below starts with a plain character and checks what precedes it afterwards:
# a leading look-behind would keep the regex engine from skipping quickly to candidates.
_PHONE_RE = re.compile(
    r"(?:(?:\+(?<![\w+]\+)|0(?<![\w+]0)(?<!\d[.\-/]0)0)"
    rf"{_HS}?{_PHONE_CC}{_HS}?[.\-]?{_HS}?(?:\(0\){_HS}?)?"
    rf"|\((?<![\w+]\()0\){_HS}?|0(?<![\w+]0)(?<!\d[.\-/]0))"
    rf"(?P<local>[1-79](?:{_PHONE_SEP}?\d){{8}})"
    r"(?!\d)(?![.\-/]\d)"
)


def _phone_key(value: str) -> str:
    return "0" + re.sub(r"\D", "", value)[-9:]


def _phone_ok(match: re.Match[str]) -> bool:
    seps = {"space" if c in " \u00a0\u202f" else c for c in match["local"] if not c.isdigit()}
    # "01/02/2026 03..." has ten digits too; a real number never mixes slashes with other marks.
    return not ("/" in seps and len(seps) > 1)
