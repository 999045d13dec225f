"""Cleaning cell text as offices type it: full-width digits and spaces, stray whitespace."""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import date, datetime
from typing import Any

# Full-width ASCII (！ to ～) maps to ASCII by a fixed offset; the ideographic
# space U+3000 and no-break space become plain spaces.
_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDE.update({0x3000: 0x20, 0x00A0: 0x20})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_SEPARATORS = re.compile(r"([、,,;;\n]+)")


def narrow(value: str) -> str:
    """Full-width letters, digits, punctuation and spaces as their ASCII forms."""
    return value.translate(_WIDE)


def clean(value: Any) -> str:
    """A cell's text: numbers without a trailing .0, runs of spaces collapsed, trimmed.

    Chinese punctuation inside prose is kept as typed; only spaces and line
    ends are normalised (a re-typed cell must compare equal to the ledger's).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if " " not in text and text.isprintable():
        # No space, and nothing else that strip() or a line split would touch
        # (every other whitespace or line-end character is unprintable).
        return text
    text = text.replace("\u3000", " ").replace("\u00a0", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def key(value: Any) -> str:
    """Text as a comparison key: narrowed, all whitespace removed (for headers, numbers)."""
    return "".join(narrow(clean(value)).split())


def split_names(value: str, known: Container[str] = ()) -> list[str]:
    """Unit names from one cell, separated by 、,,;; or line ends; order kept, no repeats.

    A known name that itself contains a separator (各市(州)党委、政府) is kept
    whole: the longest run of pieces that spells a known name wins.
    """
    parts = _SEPARATORS.split(value)
    pieces, seps = parts[0::2], parts[1::2]
    names: list[str] = []
    i = 0
    while i < len(pieces):
        end = next(
            (
                j
                for j in range(len(pieces), i + 1, -1)
                if _join(pieces, seps, i, j).strip() in known
            ),
            i + 1,
        )
        names.append(_join(pieces, seps, i, end).strip())
        i = end
    return list(dict.fromkeys(n for n in names if n))


def _join(pieces: list[str], seps: list[str], start: int, end: int) -> str:
    text = pieces[start]
    for k in range(start + 1, end):
        text += seps[k - 1] + pieces[k]
    return text


def split_category(value: str) -> list[str]:
    """大类 and 项 from "大类/项", "大类 > 项" or "大类>项" (full-width forms too)."""
    parts = re.split(r"\s*[/>/>]\s*", value)
    return [p.strip() for p in parts if p.strip()]
