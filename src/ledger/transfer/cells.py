"""A worksheet's cell values read straight from its XML, for the shapes spreadsheets usually take.

openpyxl builds an element and a dictionary per cell, which made reading a
100,000-row ledger a tenth of its import. The sheets Excel, WPS and openpyxl
write are regular: ``<row r=…>`` of ``<c r=… s=… t=…>`` holding ``<v>`` or an
inline ``<is><t>``. Those are read here with regular expressions, giving the
values openpyxl gives (numbers as int or float, dates by the cell's style,
shared strings, booleans, error codes). Anything else (formulas, prefixed
namespaces, rich inline text, ISO dates, out-of-range dates) returns None and
the caller reads the sheet with openpyxl instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl.utils.datetime import from_excel

_ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'\b([rst])="([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_INLINE = re.compile(rb"^<is><t(?: [^>]*)?>([^<]*)</t></is>$|^<is><t/></is>$")
_LETTERS = re.compile(rb"[A-Z]+")
# Markup these expressions do not follow; openpyxl reads such sheets.
_UNUSUAL = re.compile(rb"<f[ >/]|<[A-Za-z]+:(?:row|c|sheetData)\b|<rPh\b|<r>|_x[0-9A-Fa-f]{4}_")


def sheet_rows(
    xml: bytes,
    strings: Sequence[str],
    date_styles: set[int],
    duration_styles: set[int],
    epoch: datetime,
) -> list[list[Any]] | None:
    """The values of every row from row 1 (empty rows as empty lists), or None if unusual."""
    start, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if start < 0 or (end < 0 and not xml.startswith(b"<sheetData/>", start)):
        return None
    data = xml[start:end] if end >= 0 else b""
    if _UNUSUAL.search(data):
        return None
    rows: list[list[Any]] = []
    try:
        for attrs, body in _ROW.findall(data):
            number = _attrs(attrs).get(b"r")
            index = int(number) - 1 if number else len(rows)
            if index < len(rows):
                return None  # rows out of order: leave it to openpyxl
            rows.extend([] for _ in range(index - len(rows)))
            rows.append(_cells(body or b"", strings, date_styles, duration_styles, epoch))
    except (ValueError, IndexError, OverflowError):
        return None
    return rows


def _cells(
    body: bytes,
    strings: Sequence[str],
    date_styles: set[int],
    duration_styles: set[int],
    epoch: datetime,
) -> list[Any]:
    values: list[Any] = []
    for attrs, inner in _CELL.findall(body):
        a = _attrs(attrs)
        ref = a.get(b"r")
        column = _column(ref) if ref else len(values)
        if column < len(values):
            raise ValueError("cells out of order")
        values.extend([None] * (column - len(values)))
        values.append(_value(a, inner or b"", strings, date_styles, duration_styles, epoch))
    return values


def _value(
    a: dict[bytes, bytes],
    inner: bytes,
    strings: Sequence[str],
    date_styles: set[int],
    duration_styles: set[int],
    epoch: datetime,
) -> Any:
    kind = a.get(b"t", b"n")
    if kind == b"inlineStr":
        found = _INLINE.match(inner)
        if found is None:
            raise ValueError("inline text this reader does not follow")
        return _text(found.group(1) or b"")
    match = _VALUE.search(inner)
    raw = match.group(1) if match else b""
    if not raw:
        return None
    if kind == b"n":
        number: Any = float(raw) if b"." in raw or b"E" in raw or b"e" in raw else int(raw)
        style = int(a.get(b"s") or 0)
        if style in date_styles:
            return from_excel(number, epoch, timedelta=style in duration_styles)
        return number
    if kind == b"s":
        return strings[int(raw)]
    if kind == b"b":
        return bool(int(raw))
    if kind in (b"str", b"e"):
        return _text(raw)
    raise ValueError("a cell type this reader does not follow")


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(raw))


def _column(ref: bytes) -> int:
    letters = _LETTERS.match(ref)
    if letters is None:
        raise ValueError("a cell reference this reader does not follow")
    n = 0
    for ch in letters.group():
        n = n * 26 + ch - 64
    return n - 1


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text
