"""From sheet rows to planned findings: grouping, cleaning and checking each cell.

A finding starts at a row with a 序号 of its own; the rows after it that
have no 序号, or share it through a merged cell, add further 整改措施 to the
same finding. The finding's other columns are read from its first row; a
later row may leave them empty (or merged) but may not contradict them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.domain import rules
from ledger.domain.values import MeasureKind
from ledger.transfer.columns import Header
from ledger.transfer.dates import DateProblem, parse_deadline
from ledger.transfer.sheets import Sheet
from ledger.transfer.text import clean, key, split_category, split_names

COMPLETED_WORDS = {"已完成", "已完成整改", "完成", "已整改"}
ONGOING_WORDS = {"正在整改", "整改中", "未完成", "正在推进", "推进中"}
LONG_TERM_WORDS = {"需长期坚持", "长期坚持", "长期"}
KINDS = {m.label: m.value for m in MeasureKind} | {m.value: m.value for m in MeasureKind}
SHARED = ("category", "text", "leader", "lead", "units", "deadline", "status")
LIMITS = {"number": 50, "text": rules.MAX_TEXT, "leader": rules.MAX_SHORT}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (sheet, row, column) and what, in Chinese."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」第 {self.row} 行" if self.row else f"工作表「{self.sheet}」"
        return f"{where}{' ' + self.column if self.column else ''}:{self.message}"


@dataclass
class PlannedMeasure:
    """One 整改措施 row."""

    row: int
    text: str
    kind: str


@dataclass
class Planned:
    """One finding as the file states it."""

    row: int
    number: str
    category: list[str] = field(default_factory=list)
    text: str = ""
    leader: str = ""
    lead: str = ""
    units: str = ""
    deadline: date | None = None
    long_term: bool = False
    completed: bool = False
    progress: str = ""
    measures: list[PlannedMeasure] = field(default_factory=list)
    first: dict[str, Any] = field(default_factory=dict)
    valid: bool = True


class RowReader:
    """Reads the data rows under a header into planned findings and problems."""

    def __init__(self, sheet: Sheet, header: Header, year: int | None) -> None:
        self.sheet, self.header, self.year = sheet, header, year
        self.problems: list[Problem] = []
        self.findings: list[Planned] = []
        self.numbers: dict[str, int] = {}

    def read(self) -> list[Planned]:
        """Every finding of the sheet (the invalid ones marked ``valid=False``)."""
        for index in range(self.header.row + 1, len(self.sheet.rows)):
            cells = self._cells(index)
            if any(cells.values()):
                self._row(index, cells)
        for planned in self.findings:
            self._finish(planned)
        return self.findings

    def problem(self, row: int, field_name: str, message: str) -> None:
        """Note a problem at a row and a field's column."""
        self.problems.append(Problem(self.sheet.name, row, self.header.label(field_name), message))

    def _cells(self, index: int) -> dict[str, Any]:
        row = self.sheet.rows[index]
        values: dict[str, Any] = {}
        for name, column in self.header.columns.items():
            value = row[column] if column < len(row) else None
            if (index, column) in self.sheet.formulas:
                self.problem(index + 1, name, "单元格是公式,请复制后“选择性粘贴为数值”再导入")
                value = None
            values[name] = (
                value if name == "deadline" and not isinstance(value, str) else clean(value)
            )
        return values

    def _row(self, index: int, cells: dict[str, Any]) -> None:
        row, number = index + 1, key(cells["number"])
        column = self.header.columns["number"]
        merged = (index, column) in self.sheet.merged
        current = self.findings[-1] if self.findings else None
        if number and not (merged and current and current.number == number):
            if number in self.numbers:
                self.problem(row, "number", f"序号「{number}」与第 {self.numbers[number]} 行重复")
            self.numbers.setdefault(number, row)
            current = Planned(row, number, first=cells)
            self.findings.append(current)
        elif current is None:
            self.problem(row, "number", "缺少序号(首个问题行必须填写序号)")
            return
        else:
            self._continuation(current, row, cells)
        self._measure(current, row, cells)

    def _continuation(self, planned: Planned, row: int, cells: dict[str, Any]) -> None:
        for name in SHARED:
            value, first = cells.get(name), planned.first.get(name)
            if value not in (None, "") and value != first:
                self.problem(row, name, f"与本问题首行(第 {planned.row} 行)的内容不一致")
                planned.valid = False
        extra = cells.get("progress")
        if extra and extra not in planned.first.get("progress", "").split("\n"):
            planned.first["progress"] = "\n".join(filter(None, [planned.first["progress"], extra]))

    def _measure(self, planned: Planned, row: int, cells: dict[str, Any]) -> None:
        text = cells.get("measure") or ""
        kind_text = key(cells.get("kind") or "")
        if kind_text and kind_text not in KINDS:
            choices = "、".join(m.label for m in MeasureKind)
            self.problem(row, "kind", f"未知的措施类型「{kind_text}」,可选:{choices}")
            planned.valid = False
        if text:
            if len(text) > rules.MAX_TEXT:
                self._too_long(planned, row, "measure", text, rules.MAX_TEXT)
            planned.measures.append(PlannedMeasure(row, text, KINDS.get(kind_text, "immediate")))

    def _finish(self, p: Planned) -> None:
        cells = p.first
        p.category = split_category(cells.get("category") or "")
        if not p.category:
            self._bad(p, "category", "问题类别不能为空")
        for part in p.category:
            if len(part) > rules.MAX_SHORT:
                self._too_long(p, p.row, "category", part, rules.MAX_SHORT)
        p.text, p.leader = cells.get("text") or "", cells.get("leader") or ""
        if not p.text:
            self._bad(p, "text", "问题描述不能为空")
        for name, value in (("number", p.number), ("text", p.text), ("leader", p.leader)):
            if len(value) > LIMITS[name]:
                self._too_long(p, p.row, name, value, LIMITS[name])
        self._units(p, cells)
        self._deadline(p, cells.get("deadline"))
        self._status(p, cells.get("status") or "")
        p.progress = cells.get("progress") or ""

    def _units(self, p: Planned, cells: dict[str, Any]) -> None:
        """Unit cells stay text: names are split against the ledger's units when decided."""
        p.lead, p.units = cells.get("lead") or "", cells.get("units") or ""
        for name in ("lead", "units"):
            for unit in split_names(cells.get(name) or ""):
                if len(unit) > rules.MAX_SHORT:
                    self._too_long(p, p.row, name, unit, rules.MAX_SHORT)
        if p.measures and not p.lead and not p.units:
            self._bad(p, "lead", "有整改措施时须填写牵头单位或责任单位(措施由其负责)")

    def _deadline(self, p: Planned, value: Any) -> None:
        try:
            parsed = parse_deadline(value, self.year)
        except DateProblem as error:
            self._bad(p, "deadline", str(error))
            return
        if parsed is not None:
            p.deadline, p.long_term = parsed.day, parsed.long_term

    def _status(self, p: Planned, value: str) -> None:
        words = [w for w in re.split(r"[,,、;;/()()\s]+", value) if w]
        if not words:
            self._bad(p, "status", "完成情况不能为空(已完成 / 正在整改 / 需长期坚持)")
        unknown = [w for w in words if w not in COMPLETED_WORDS | ONGOING_WORDS | LONG_TERM_WORDS]
        if unknown:
            self._bad(p, "status", f"未知的完成情况「{value}」,可选:已完成、正在整改、需长期坚持")
        done, going = set(words) & COMPLETED_WORDS, set(words) & ONGOING_WORDS
        if done and going:
            self._bad(p, "status", f"完成情况「{value}」自相矛盾(既已完成又正在整改)")
        p.completed = bool(done)
        p.long_term = p.long_term or bool(set(words) & LONG_TERM_WORDS)

    def _bad(self, p: Planned, field_name: str, message: str) -> None:
        self.problem(p.row, field_name, message)
        p.valid = False

    def _too_long(self, p: Planned, row: int, field_name: str, value: str, limit: int) -> None:
        self.problem(row, field_name, f"内容过长:{len(value)} 字,上限 {limit} 字")
        p.valid = False
