"""Reading a workbook: the quicker size lookup and inline strings give openpyxl's own answers."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from openpyxl.cell.text import Text
from openpyxl.worksheet import _read_only
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.functions import fromstring

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
    ws.append(["2", "  前后空格 ", "=1+1", 43261, True, 1.5, "", "第二行\n换行"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data", [workbook(), _write_only()], ids=["dimension", "write-only"])
def test_a_sheet_reads_the_same_as_with_openpyxls_own_size_lookup(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = sheets.read(data)
    assert ReadOnlyWorksheet._get_size is sheets._OPENPYXL_GET_SIZE  # put back after reading
    assert _read_only.WorkSheetParser is WorkSheetParser
    monkeypatch.setattr(sheets, "_size_from_the_top", sheets._OPENPYXL_GET_SIZE)
    monkeypatch.setattr(sheets, "_Parser", WorkSheetParser)
    own = sheets.read(data)
    assert (quick.name, quick.rows, quick.merged, quick.formulas) == (
        own.name,
        own.rows,
        own.merged,
        own.formulas,
    )
    assert len(quick.rows) >= 4


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
INLINE = [
    "<is {ns}><t>整改</t></is>",
    '<is {ns}><t xml:space="preserve"> 前后 </t></is>',
    "<is {ns}><t/></is>",
    "<is {ns}></is>",
    "<is {ns}><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></is>",
    "<is {ns}><t>正文</t><r><t>加粗</t></r><rPh sb='0' eb='1'><t>ふりがな</t></rPh></is>",
]


@pytest.mark.parametrize("xml", INLINE)
def test_an_inline_string_reads_as_openpyxls_text_content(xml: str) -> None:
    element = fromstring(xml.format(ns=NS))
    assert sheets.inline_text(element) == Text.from_tree(element).content


def test_the_size_comes_from_the_dimension_when_there_is_one() -> None:
    book = openpyxl.Workbook()
    book.active.append(["序号", "问题描述"])
    book.active["E3"] = "x"
    out = io.BytesIO()
    book.save(out)
    rows = sheets.read(out.getvalue()).rows
    assert [len(r) for r in rows] == [5, 5, 5]  # padded to the dimension A1:E3
