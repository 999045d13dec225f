"""Reading a file into plain sheets: XLSX (openpyxl, read-only) or CSV (UTF-8 or GB18030).

Merged cells are filled from their top-left cell, as a reader of the sheet
sees them; which cells were filled, and which held formulas, is kept so that
rows can tell a merged 序号 from a repeated one and refuse formulas.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet import _read_only
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, INLINE_STRING, WorkSheetParser
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

Cell = tuple[int, int]  # (row, column), both 0-based
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?<!/)>(?:<v>[^<]*</v>)?<f[ >/]')


class NotReadable(ValueError):
    """The file is not a spreadsheet the ledger can read; the message is for people."""


@dataclass
class Sheet:
    """One sheet's cell values by row, with its merged and formula cells."""

    name: str
    rows: list[list[Any]]
    merged: set[Cell] = field(default_factory=set)
    formulas: set[Cell] = field(default_factory=set)


def read(data: bytes, sheet: str | None = None) -> Sheet:
    """The chosen sheet (default: the first) of an XLSX or CSV file's bytes."""
    if data.startswith(XLS_MAGIC):
        raise NotReadable("不支持旧版 Excel(.xls)文件,请另存为 .xlsx 后再导入")
    if data.startswith(b"PK"):
        return _xlsx(data, sheet)
    if sheet is not None:
        raise NotReadable("CSV 文件只有一个工作表,不能指定 --sheet")
    return _csv(data)


def _xlsx(data: bytes, name: str | None) -> Sheet:
    with _quicker_openpyxl():
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
            raise NotReadable(f"不是有效的 Excel(.xlsx)文件:{error}") from None
        try:
            names = book.sheetnames
            if name is not None and name not in names:
                raise NotReadable(f"工作簿中没有名为「{name}」的工作表;现有:{'、'.join(names)}")
            ws: Any = book[name] if name is not None else book.worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            xml = book._archive.read(ws._worksheet_path)
        finally:
            book.close()
    result = Sheet(ws.title, _trimmed(rows))
    result.formulas = {
        (int(r) - 1, column_index_from_string(c.decode()) - 1) for c, r in _FORMULA.findall(xml)
    }
    _fill_merges(result, xml)
    return result


@contextmanager
def _quicker_openpyxl() -> Iterator[None]:
    """While a workbook is read, two of openpyxl's (3.1) read-only steps done quicker,
    with the same results (tests compare them with openpyxl's own).

    1. A sheet's size: openpyxl looks for ``<dimension>`` with a parser that
       reports only element ends, and gives up at the end of ``<sheetData>``:
       a sheet without one (as openpyxl's write-only mode saves them: the
       ledger's exports, the benchmark's workbooks) is parsed twice, the first
       time for nothing. The schema puts ``<dimension>`` before ``<sheetData>``,
       so stopping at the start of ``<sheetData>`` gives the same answer.
    2. Inline strings (the same writers use them instead of shared strings):
       their text is joined directly instead of through openpyxl's
       descriptor-checked ``Text`` objects, the reading's largest cost.
    """
    with _SWAPPING:
        ReadOnlyWorksheet._get_size = _size_from_the_top
        _read_only.WorkSheetParser = _Parser
        try:
            yield
        finally:
            ReadOnlyWorksheet._get_size = _OPENPYXL_GET_SIZE
            _read_only.WorkSheetParser = WorkSheetParser


def _size_from_the_top(ws: Any) -> None:
    with ws._get_source() as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "end" and element.tag == DIMENSION_TAG:
                bounds = SheetDimension.from_tree(element).boundaries
                ws._min_column, ws._min_row, ws._max_column, ws._max_row = bounds
                return
            if element.tag == DATA_TAG:
                return


class _Parser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's sheet parser, inline strings aside (see ``_quicker_openpyxl``)."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        inline = element.find(INLINE_STRING) if element.get("t") == "inlineStr" else None
        if inline is None or self.rich_text:
            return super().parse_cell(element)  # type: ignore[no-any-return]
        element.remove(inline)  # openpyxl then does all but the string: place, style, formula
        cell: dict[str, Any] = super().parse_cell(element)
        if cell["data_type"] == "inlineStr":  # not a formula
            cell["data_type"], cell["value"] = "s", inline_text(inline)
        return cell


def inline_text(inline: Any) -> str:
    """An ``<is>`` element's text: its own ``<t>``, then each run's (phonetic runs aside),
    as openpyxl's ``Text.content``."""
    own: str | None = inline.findtext(_T)
    if own is not None and len(inline) == 1:  # the usual cell: its own text alone
        return own  # (no runs to look for: ElementPath's ``iterfind`` costs more than the rest)
    parts = [own]
    parts += [run.findtext(_T) for run in inline.iterfind(_R)]
    return "".join(part for part in parts if part is not None)


_T, _R = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"
_OPENPYXL_GET_SIZE = ReadOnlyWorksheet._get_size
_SWAPPING = threading.Lock()  # one read at a time swaps openpyxl's parts in and out


def _fill_merges(sheet: Sheet, xml: bytes) -> None:
    """Copy each merged range's top-left value into the cells it covers."""
    start = xml.rfind(b"<mergeCells")
    for c1, r1, c2, r2 in _MERGE.findall(xml[start:] if start >= 0 else b""):
        top, left = int(r1) - 1, column_index_from_string(c1.decode()) - 1
        bottom, right = int(r2) - 1, column_index_from_string(c2.decode()) - 1
        value = _get(sheet.rows, top, left)
        for r in range(top, min(bottom, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    row.extend([None] * (c + 1 - len(row)))
                    row[c] = value
                    sheet.merged.add((r, c))


def _csv(data: bytes) -> Sheet:
    if b"\x00" in data[:65536]:
        raise NotReadable("不是电子表格文件(既不是 .xlsx,也不是文本 CSV)")
    text = _decode(data)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise NotReadable(f"CSV 格式错误:{error}") from None
    return Sheet("CSV", _trimmed(rows))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, the two encodings offices save CSV in."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NotReadable("无法识别 CSV 文件的编码(应为 UTF-8 或 GB18030)")


def _get(rows: list[list[Any]], r: int, c: int) -> Any:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows without trailing empty rows (a sheet's dimension often overstates it)."""
    end = len(rows)
    while end and all(v is None or v == "" for v in rows[end - 1]):
        end -= 1
    return rows[:end]
