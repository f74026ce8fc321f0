"""How a knowledge passage splits into answerable units: sentences, whole lists, whole tables.

A draft quotes units, never parts of them: a list of four documents is one unit with the sentence
that introduces it, a table is one unit read as a list of rows. The same split serves the
composer (``drafting.suggestions.compose``) and the unit embeddings of the index, so a unit is
identified everywhere by ``(passage_id, position)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-Ý0-9«\"(])")
_LIST_ITEM_RE = re.compile(r"^\s*[-•*]\s+")
_TABLE_ROW_RE = re.compile(r"\s\|\s")
# A sentence opening on a pronoun continues the one before it: they go together.
_CONTINUES = re.compile(r"^(Elle|Il|Elles|Ils|Celle-ci|Celui-ci|Cette|Ce|Ces|Cela|Sa|Son|Ses)\b")
# "Vous devez fournir :" alone reads as a fragment: the sentence before it comes along.
SHORT_LEAD_WORDS = 6


@dataclass
class TextUnit:
    position: int
    text: str
    kind: str  # "sentence" | "list" | "table"
    # The sentence this one continues ("Elle arrive en deux semaines." after "La carte…").
    context: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.context} {self.text}" if self.context else self.text


def table_as_list(lead: str, rows: list[str]) -> tuple[str, list[str]]:
    """A table read aloud: its header in the lead-in, one line per row ("700 € : environ 250 €").

    A mail client shows ``a | b`` as noise; a list of rows reads in any client.
    """
    cells = [[cell.strip() for cell in row.split("|")] for row in rows]
    header, body = (cells[0], cells[1:]) if len(cells) > 1 else ([], cells)
    lead = lead.rstrip(" :") if lead else ""
    if header:
        columns = " / ".join(cell for cell in header if cell)
        lead = f"{lead} ({columns})" if lead else columns
    lines = ["- " + " : ".join(cell for cell in row if cell) for row in body if any(row)]
    return (f"{lead} :" if lead else ""), lines


def split_units(text: str) -> list[TextUnit]:
    """Sentences, whole lists (with the sentence that introduces them) and whole tables."""
    units: list[TextUnit] = []
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    index = 0
    lead_index: int | None = None  # a sentence ending with ":" just before a list or table
    while index < len(lines):
        line = lines[index]
        if _LIST_ITEM_RE.match(line) or _TABLE_ROW_RE.search(line):
            is_list = bool(_LIST_ITEM_RE.match(line))
            block: list[str] = []
            while index < len(lines):
                current = lines[index]
                if is_list and _LIST_ITEM_RE.match(current):
                    block.append("- " + _LIST_ITEM_RE.sub("", current))
                elif not is_list and _TABLE_ROW_RE.search(current):
                    block.append(current)
                else:
                    break
                index += 1
            lead = ""
            if lead_index is not None and lead_index == len(units) - 1:
                lead = units.pop().text
                if len(lead.split()) < SHORT_LEAD_WORDS and units and units[-1].kind == "sentence":
                    lead = f"{units.pop().text} {lead}"
            lead_index = None
            if not is_list:
                lead, block = table_as_list(lead, block)
            body = "\n".join([lead, *block] if lead else block)
            units.append(TextUnit(len(units), body, "list" if is_list else "table"))
            continue
        previous = ""
        for sentence in _SENTENCE_RE.split(line):
            sentence = sentence.strip()
            if sentence:
                context = previous if previous and _CONTINUES.match(sentence) else ""
                units.append(TextUnit(len(units), sentence, "sentence", context=context))
                previous = sentence
        lead_index = len(units) - 1 if line.endswith(":") else None
        index += 1
    for position, unit in enumerate(units):
        unit.position = position
    return units
