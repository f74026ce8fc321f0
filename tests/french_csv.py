"""Reading an export as French spreadsheet software does: UTF-8 with a byte order mark,
``;`` between cells, decimal comma. Used by every export test."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

_FRENCH_NUMBER = re.compile(r"^-?\d+(,\d+)?$")


def french_rows(body: bytes | str) -> list[list[str]]:
    """The cells of a CSV export, as text, read like French Excel: fails on a file without the
    byte order mark or not separated by ``;``."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    assert text.startswith("\ufeff"), "a CSV export starts with the UTF-8 byte order mark"
    text = text[1:]
    first_line = text.split("\r\n", 1)[0]
    assert ";" in first_line or "," not in first_line, f"not separated by ';': {first_line!r}"
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def french_number(cell: str) -> Decimal:
    """A cell read as a number in a French locale (decimal comma, no decimal point)."""
    assert _FRENCH_NUMBER.match(cell), f"not a French number: {cell!r}"
    return Decimal(cell.replace(",", "."))


def streamed(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
