"""Bad input: every problem is named in the dry-run report, and the real import records nothing."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from ledger.application.ledger import Ledger
from ledger.transfer.importer import ImportReport, apply_import, plan_import
from tests.conftest import log_snapshot
from tests.transfer.conftest import HEADER, ROWS, options, workbook


def refused(ledger: Ledger, data: bytes, **changes: Any) -> ImportReport:
    """Dry run and real import of a bad file: same problems, nothing recorded by either."""
    before = log_snapshot(ledger)
    dry = plan_import(ledger, data, options(**changes))
    real = apply_import(ledger, data, options(**changes))
    assert dry.problems and real.problems == dry.problems and not real.applied
    assert log_snapshot(ledger) == before
    return real


def where(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in report.problems]


def sheet(*rows: list[Any]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_each_bad_cell_is_named_by_sheet_row_and_column(ledger: Ledger) -> None:
    rows = list(ROWS)
    rows[0] = (*rows[0][:9], "基本完成")  # unknown status
    rows[1] = (*rows[1][:7], "2018年2月30日", *rows[1][8:])  # impossible date
    rows[2] = ("2", *rows[2][1:])  # duplicate 序号
    rows[3] = (rows[3][0], rows[3][1], "长" * 10_001, *rows[3][3:])  # text over the limit
    rows[4] = (*rows[4][:7], "6月30日前", *rows[4][8:])
    report = refused(ledger, workbook(rows, blank_every=100), year=None)
    assert {p.sheet for p in report.problems} == {"整改台账"}
    assert where(report) == [
        (6, "A列(序　号)", "序号「2」与第 5 行重复"),
        (3, "J列(完成情况)", "未知的完成情况「基本完成」,可选:已完成、正在整改、需长期坚持"),
        (5, "H列(整改时限)", "不存在的日期「2018年2月30日」"),
        (7, "C列(问题描述)", "内容过长:10001 字,上限 10000 字"),
        (8, "H列(整改时限)", "日期「6月30日前」缺少年份,请用 --year 指定年份"),
    ]


def test_formulas_instead_of_values_are_refused(ledger: Ledger) -> None:
    data = sheet(
        HEADER,
        [
            "1",
            "资金",
            "资金滞留",
            "盘活",
            None,
            "县财政局",
            None,
            "=DATE(2018,6,30)",
            None,
            '=IF(1,"已完成","正在整改")',
        ],
    )
    report = refused(ledger, data)
    columns = [(p.row, p.column) for p in report.problems]
    assert columns[:2] == [(2, "H列(整改时限)"), (2, "J列(完成情况)")]
    assert "公式" in report.problems[0].message


def test_a_rule_of_the_ledger_is_reported_at_the_row_it_concerns(ledger: Ledger) -> None:
    rows = list(ROWS)
    rows[5] = (*rows[5][:7], "2018-04-01", *rows[5][8:])  # before the feedback date 2018-05-02
    rows[1] = (*rows[1][:8], None, "已完成")  # completed without any progress report
    report = refused(ledger, workbook(rows))
    assert where(report) == [
        (5, "J列(完成情况)", "申报完成前须至少报告一次整改进展及佐证材料"),
        (11, "H列(整改时限)", "2018-04-01 早于反馈日期 2018-05-02"),
    ]


def test_missing_required_columns_are_each_named(ledger: Ledger) -> None:
    report = refused(
        ledger, sheet(["序号", "问题描述", "整改时限"], ["1", "资金滞留", "2018-06-30"])
    )
    assert where(report) == [
        (1, "问题类别", "缺少必需列「问题类别」"),
        (1, "完成情况", "缺少必需列「完成情况」"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\x00\x01binary", "不是电子表格文件"),
        (b"PK\x03\x04not really a zip", "不是有效的 Excel(.xlsx)文件"),
        (b"\xd0\xcf\x11\xe0old excel", "不支持旧版 Excel(.xls)文件"),
        (b"", "工作表为空"),
        (b"just some notes\nnothing tabular", "找不到表头行"),
    ],
)
def test_a_file_that_is_not_a_usable_spreadsheet_is_refused(
    ledger: Ledger, data: bytes, message: str
) -> None:
    report = refused(ledger, data)
    assert len(report.problems) == 1 and report.problems[0].message.startswith(message)


def test_an_empty_sheet_and_a_header_without_rows_are_refused(ledger: Ledger) -> None:
    assert where(refused(ledger, sheet())) == [(0, "", "工作表为空")]
    assert where(refused(ledger, sheet(HEADER))) == [(1, "", "表头下没有任何数据行")]


def test_csv_in_gb18030_and_utf8_imports_the_same(ledger: Ledger) -> None:
    text = (
        ",".join(HEADER) + "\n1,资金管理,资金滞留闲置,盘活资金,,县财政局,,2018年6月30日,,正在整改\n"
    )
    utf8 = apply_import(ledger, ("\ufeff" + text).encode("utf-8"), options())
    assert utf8.problems == [] and utf8.created == 1
    gb = apply_import(ledger, text.encode("gb18030"), options())
    assert gb.problems == [] and (gb.created, gb.unchanged) == (0, 1)


def test_a_bad_column_mapping_is_refused(ledger: Ledger) -> None:
    report = refused(ledger, workbook(), mapping=("不存在的列=问题内容",))
    assert report.problems[0].message.startswith("列映射「不存在的列=问题内容」无效")


def test_a_corrected_file_cannot_bring_a_deadline_forward_or_drop_a_measure(ledger: Ledger) -> None:
    apply_import(ledger, workbook(), options())
    rows = list(ROWS)
    rows[0] = (*rows[0][:3], ["清理盘活滞留资金"], *rows[0][4:])
    rows[5] = (*rows[5][:7], "2018-07-31", *rows[5][8:])
    report = refused(ledger, workbook(rows))
    assert where(report) == [
        (3, "D列(整改措施)", "整改措施不能删除:台账中有 2 条,文件中只有 1 条"),
        (10, "H列(整改时限)", "整改时限只能延后:台账中为 2018-09-30,文件中为 2018-07-31"),
    ]
