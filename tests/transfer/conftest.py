"""Fixtures for transfer tests: realistic workbooks built with openpyxl, and a second database."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from uuid import uuid4

import openpyxl
import psycopg
import pytest
from psycopg import sql

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.transfer.importer import ImportOptions, NewInspection
from tests.conftest import PG_URL

HEADER = ["序　号", "问题类别", "问题描述", "整改措施", "责任领导", "牵头单位", "责任单位"]
HEADER += ["整改时限", "整改进展", "完成情况"]
FINDING_COLUMNS = "ABCEFGHIJ"  # merged over a finding's measure rows (D: 整改措施 is per row)

# (序号, 类别, 描述, [措施…], 领导, 牵头, 责任单位, 时限, 进展, 完成情况)
ROWS: list[tuple[Any, ...]] = [
    (
        "１",
        "扶贫资金/资金管理",
        "扶贫资金滞留闲置,部分项目资金拨付缓慢",
        ["清理盘活滞留资金", "建立资金拨付台账,按月通报"],
        "张副县长",
        "县财政局",
        "县财政局、县扶贫办",
        "２０１８年６月１０日",
        "已盘活滞留资金 120 万元",
        "已完成",
    ),
    (
        "2",
        "精准识别/识别不准",
        "贫困户识别不精准,存在错评漏评",
        ["开展动态调整"],
        "李副县长",
        "县扶贫办",
        None,
        43261,
        None,
        "正在整改",
    ),
    (
        "3",
        "精准识别/档案",
        "贫困户档案资料不完整",
        ["完善档案资料"],
        None,
        "县扶贫办",
        "县扶贫办、各乡镇",
        "长期坚持",
        "正在逐户完善",
        "正在整改,需长期坚持",
    ),
    (
        "4",
        "作风建设",
        "形式主义问题突出,填表报数过多",
        ["精简报表"],
        "王书记",
        "县委办",
        None,
        datetime(2018, 7, 31),
        "报表由 42 张精简为 9 张",
        "已完成,需长期坚持",
    ),
    (
        "5",
        "作风建设",
        "驻村干部在岗率低",
        [],
        None,
        "县委组织部",
        None,
        "6月30日前",
        None,
        "正在整改",
    ),
    (
        "６",
        "产业扶贫/产业项目",
        "产业项目带贫效果不明显",
        ["完善利益联结机制", "开展项目绩效评估"],
        "张副县长",
        "县农业农村局",
        "县农业农村局、县扶贫办",
        "2018.9.30",
        "已完成 12 个项目评估",
        "正在整改",
    ),
]
FEEDBACK = date(2018, 5, 2)


def workbook(rows: list[tuple[Any, ...]] = ROWS, blank_every: int = 2) -> bytes:
    """A ledger as offices keep it: title row, header, merged finding cells, blank rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "整改台账"
    ws.append(["县委第一轮巡察反馈问题整改台账"])
    ws.merge_cells("A1:J1")
    ws.append(HEADER)
    current = 2
    for n, row in enumerate(rows, 1):
        number, category, text, measures, *rest = row
        first = current + 1
        for i, measure in enumerate(measures or [None]):
            current += 1
            values = [number, category, text, measure, *rest] if i == 0 else [None] * 3 + [measure]
            for column, value in enumerate(values, 1):
                ws.cell(current, column, value)
        if current > first:
            for column in FINDING_COLUMNS:
                ws.merge_cells(f"{column}{first}:{column}{current}")
        if n % blank_every == 0:
            current += 1  # a blank row, as people leave between groups
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def options(**changes: Any) -> ImportOptions:
    """Import as the county office into a new inspection (reused by title)."""
    values: dict[str, Any] = {
        "actor_id": "office-import",
        "actor_name": "周敏",
        "new_inspection": NewInspection(
            kind="tour",
            title="县委第一轮巡察",
            inspecting_body="县委第一巡察组",
            inspected_body="县扶贫开发领导小组",
            feedback_date=FEEDBACK,
        ),
        "year": 2018,
        "effective": date(2018, 8, 1),
    }
    values.update(changes)
    return ImportOptions(**values)


@pytest.fixture
def second_url(request: pytest.FixtureRequest, backend_url: str, tmp_path: Any) -> Iterator[str]:
    """A second empty database on the same back end as ``ledger``."""
    if backend_url.startswith("postgresql"):
        name = f"t_{uuid4().hex[:12]}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        yield f"{PG_URL}?schema={name}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
    elif backend_url.endswith(":memory:"):
        yield backend_url
    else:
        yield f"sqlite:///{tmp_path}/second.db"


@pytest.fixture
def open_second(second_url: str) -> Iterator[Callable[[], Ledger]]:
    """Open the second database (closed at the end of the test)."""
    opened: list[Ledger] = []

    def make() -> Ledger:
        opened.append(Ledger(Settings(second_url)))
        return opened[-1]

    yield make
    for app in opened:
        app.close()


def sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    """The data rows (below title and header) of an exported workbook's sheets."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [row for ws in book.worksheets for row in ws.iter_rows(min_row=3, values_only=True)]
