"""The fast cell reader gives exactly the values openpyxl gives, or declines."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl

from ledger.transfer.cells import sheet_rows
from tests.transfer.conftest import workbook


def both(data: bytes) -> tuple[list[list[Any]] | None, list[list[Any]]]:
    """(the fast reader's rows, openpyxl's rows), trailing empty cells dropped."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws: Any = book.worksheets[0]
    xml = book._archive.read(ws._worksheet_path)
    fast = sheet_rows(
        xml, book.shared_strings, book._date_formats, book._timedelta_formats, book.epoch
    )
    slow = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    return (None if fast is None else [_trim(r) for r in fast]), [_trim(r) for r in slow]


def _trim(row: list[Any]) -> list[Any]:
    while row and row[-1] is None:
        row = row[:-1]
    return row


def saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_ledger_workbook_reads_the_same() -> None:
    fast, slow = both(workbook())
    assert fast == slow and len(fast) > 5


def test_every_plain_cell_type_reads_the_same() -> None:
    book = openpyxl.Workbook()  # a normal workbook: shared strings, styles
    ws = book.active
    ws.append(["文本 & <符号>", 42, 3.25, -1e-7, True, False, None, "  空格  "])
    ws.append([date(2019, 6, 30), datetime(2020, 1, 2, 3, 4, 5), time(8, 30), None])
    ws.append([])
    ws.append([None, None, "隔列", 12345678901234])
    ws["B6"] = timedelta(hours=30)
    ws["B6"].number_format = "[h]:mm:ss"
    ws["C7"] = "第七行"
    fast, slow = both(saved(book))
    assert fast == slow
    assert slow[0][:3] == ["文本 & <符号>", 42, 3.25] and isinstance(slow[1][0], datetime)


def test_inline_strings_read_the_same() -> None:
    book = openpyxl.Workbook(write_only=True)  # writes inline strings
    ws = book.create_sheet("台账")
    ws.append(["序号", "a&b", "<x>", '"引号"', 7, date(2018, 6, 10)])
    fast, slow = both(saved(book))
    assert fast == slow


def test_a_sheet_with_formulas_is_left_to_openpyxl() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([1, 2, "=A1+B1"])
    fast, slow = both(saved(book))
    assert fast is None and slow == [[1, 2, "=A1+B1"]]
