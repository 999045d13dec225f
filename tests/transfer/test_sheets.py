"""Reading a workbook: the quick look for a sheet's size gives openpyxl's own answer."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from ledger.transfer import sheets
from tests.transfer.conftest import workbook


def _write_only() -> bytes:
    """A workbook as openpyxl's write-only mode saves it: no <dimension>, ragged rows."""
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("台账")
    ws.append(["某县整改台账"])
    ws.append(["序号", "问题描述", "整改措施", "整改时限", "完成情况"])
    ws.append(["1", "资金滞留", "清理盘活", date(2018, 6, 30), "已完成"])
    ws.append([None, None, "建立台账"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data", [workbook(), _write_only()], ids=["dimension", "write-only"])
def test_a_sheet_reads_the_same_as_with_openpyxls_own_size_lookup(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = sheets.read(data)
    assert ReadOnlyWorksheet._get_size is sheets._OPENPYXL_GET_SIZE  # put back after loading
    monkeypatch.setattr(sheets, "_size_from_the_top", sheets._OPENPYXL_GET_SIZE)
    own = sheets.read(data)
    assert (quick.name, quick.rows, quick.merged, quick.formulas) == (
        own.name,
        own.rows,
        own.merged,
        own.formulas,
    )
    assert len(quick.rows) >= 4


def test_the_size_comes_from_the_dimension_when_there_is_one() -> None:
    book = openpyxl.Workbook()
    book.active.append(["序号", "问题描述"])
    book.active["E3"] = "x"
    out = io.BytesIO()
    book.save(out)
    rows = sheets.read(out.getvalue()).rows
    assert [len(r) for r in rows] == [5, 5, 5]  # padded to the dimension A1:E3
