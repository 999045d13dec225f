"""Which column holds what: the usual headers of a rectification ledger, and user overrides.

A field is found under its standard header (the first alias) or any other
alias; ``--map 问题描述=问题内容`` says the file calls 问题描述 "问题内容".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.transfer.text import key

# field → headers it may go by; the first is the standard header exports use.
ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "问题序号", "问题编号"),
    "category": ("问题类别", "问题类型", "问题分类", "类别"),
    "text": ("问题描述", "问题内容", "存在问题", "具体问题"),
    "measure": ("整改措施", "整改举措"),
    "kind": ("措施类型", "措施类别"),
    "leader": ("责任领导", "牵头领导", "分管领导"),
    "lead": ("牵头单位", "牵头部门"),
    "units": ("责任单位", "责任部门", "配合单位"),
    "deadline": ("整改时限", "完成时限", "整改期限"),
    "progress": ("整改进展", "进展情况", "整改进展情况"),
    "status": ("完成情况", "整改状态", "完成状态"),
}
FIELDS = tuple(ALIASES)
REQUIRED = ("number", "category", "text", "status")
STANDARD = {name: aliases[0] for name, aliases in ALIASES.items()}
HEADER_SCAN = 10  # title rows above the header are common; the header is near the top
_NOTE = re.compile(r"[((].*?[))]")


class MappingProblem(ValueError):
    """A ``--map`` option that cannot be used; the message is for people."""


@dataclass(frozen=True)
class Header:
    """Where the header row is and which column (0-based) each field is in."""

    row: int
    columns: dict[str, int]
    titles: dict[int, str]

    def missing(self) -> list[str]:
        """Standard names of required fields that have no column."""
        return [STANDARD[f] for f in REQUIRED if f not in self.columns]

    def label(self, field: str) -> str:
        """How a message names a field's column: 'F列(整改时限)'."""
        index = self.columns.get(field)
        if index is None:
            return STANDARD.get(field, field)
        return f"{letter(index)}列({self.titles[index]})"


def mapping(options: Iterable[str]) -> dict[str, str]:
    """Parse ``标准列名=文件列名`` options into {field: header key}."""
    result: dict[str, str] = {}
    by_name = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    for option in options:
        left, sep, right = option.partition("=")
        name = by_name.get(key(left), key(left))
        if not sep or not right.strip() or name not in ALIASES:
            raise MappingProblem(
                f"列映射「{option}」无效:应为 标准列名=文件中的列名,"
                f"标准列名可选 {'、'.join(STANDARD.values())}"
            )
        result[name] = _header_key(right)
    return result


def find_header(rows: Sequence[Sequence[object]], overrides: dict[str, str]) -> Header | None:
    """The first row among the top ones naming at least two known fields.

    (A title row above the header rarely names two columns.)
    """
    for index, row in enumerate(rows[:HEADER_SCAN]):
        columns = match(row, overrides)
        if len(columns) >= 2:
            titles = {i: str(row[i]).strip() for i in columns.values()}
            return Header(index, columns, titles)
    return None


def match(row: Sequence[object], overrides: dict[str, str]) -> dict[str, int]:
    """{field: column} for the cells of one row; overrides win over aliases."""
    wanted = {name: {_header_key(a) for a in aliases} for name, aliases in ALIASES.items()}
    for name, header in overrides.items():
        wanted[name] = {header}
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        text = _header_key(cell)
        for name, keys in wanted.items():
            if text and text in keys and name not in found:
                found[name] = index
                break
    return found


def letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 → A, 26 → AA)."""
    result = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        result = chr(65 + rest) + result
    return result


def _header_key(value: object) -> str:
    return _NOTE.sub("", key(value))
