"""Who changed what: a record's timeline, changes across the ledger, and their export.

Timelines come from the event store (``application.replay``); questions
across the ledger are answered by the audit index (``projections.auditing``)
and each event found is then given its field-level changes by replaying its
record. Exports are CSV (UTF-8 with BOM, so spreadsheet programs read the
Chinese) and XLSX, with Chinese headers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL
from openpyxl.styles import Alignment, Font

from ledger.application import replay
from ledger.application.replay import Entry
from ledger.domain.values import BEIJING, Role
from ledger.projections.auditing import AuditLog, Filter

HEADERS = [
    "日志位置",
    "记录编号",
    "版本",
    "事件",
    "操作人",
    "操作人编号",
    "角色",
    "操作人单位",
    "记录时间(北京时间)",
    "生效时间(北京时间)",
    "理由",
    "依据",
    "关联编号",
    "变更(字段:原值 → 新值)",
]

WIDTHS = (9, 38, 6, 28, 12, 16, 12, 38, 20, 20, 30, 24, 38, 80)


def trail(app: Any, record_id: Any, point: replay.Point | None = None) -> list[Entry]:
    """Every event of one record with the fields it changed (NotFound if none);
    at a ``point``, only the events that hold there."""
    return replay.timeline(app, record_id, point)


def changes(
    app: Any, f: Filter, after: int | None = None, limit: int = 100
) -> tuple[list[tuple[int, Entry]], int | None]:
    """A page of (log position, entry) matching ``f``, and the cursor of the next page."""
    page = AuditLog(app.projector).changes(f, after, limit)
    timelines: dict[str, dict[int, Entry]] = {}
    found = []
    for item in page.items:
        rid = item["record_id"]
        if rid not in timelines:
            timelines[rid] = {e.version: e for e in replay.timeline(app, rid)}
        found.append((item["position"], timelines[rid][item["version"]]))
    return found, page.next


def rows(entries: Iterable[tuple[int | None, Entry]]) -> list[list[Any]]:
    """One spreadsheet row per entry, in HEADERS order."""
    return [_row(position, e) for position, e in entries]


def _row(position: int | None, e: Entry) -> list[Any]:
    role = Role(e.actor_role).label if e.actor_role in Role.__members__.values() else e.actor_role
    changed = "\n".join(f"{c.field}:{_text(c.before)} → {_text(c.after)}" for c in e.changes)
    return [
        position if position is not None else "",
        str(e.record_id),
        e.version,
        e.kind,
        e.actor_name,
        e.actor_id,
        role,
        str(e.actor_unit) if e.actor_unit else "",
        e.recorded_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        e.effective_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        e.reason,
        e.basis,
        str(e.correlation_id),
        changed,
    ]


def _text(value: Any) -> str:
    if value is None:
        return "(无)"
    if isinstance(value, list):
        return "、".join(map(str, value)) or "(空)"
    return str(value) if value != "" else "(空)"


def to_csv(table: list[list[Any]]) -> bytes:
    """CSV with a BOM and Chinese headers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[Any]], title: str = "审计记录") -> bytes:
    """An XLSX workbook with one sheet, a bold header row and wrapped change text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        # Control characters (valid in a reason, not in a worksheet) show as U+FFFD.
        sheet.append([ILLEGAL.sub("\ufffd", v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    for column, width in zip(
        "ABCDEFGHIJKLMN", (9, 38, 6, 28, 12, 16, 12, 38, 20, 20, 30, 24, 38, 80), strict=True
    ):
        sheet.column_dimensions[column].width = width
    for cell in sheet["N"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def of_record(entries: list[Entry]) -> list[tuple[int | None, Entry]]:
    """A timeline as rows without log positions."""
    return [(None, e) for e in entries]
