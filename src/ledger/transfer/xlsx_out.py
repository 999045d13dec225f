"""The ledger as an Excel workbook in the layout offices keep (and the importer reads).

One sheet per inspection: a title row, the standard header, then one row
per 整改措施 (one row for a finding without measures); a finding's own
columns are merged down over its measure rows. Deadlines are real Excel
dates. Importing the file back into the same inspection records nothing.
"""

from __future__ import annotations

import re
from typing import IO, Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ledger.application.ledger import Ledger
from ledger.projections.queries import When
from ledger.transfer.columns import STANDARD
from ledger.transfer.story import Shown, inspections, shown

ORDER: tuple[str, ...] = ("number", "category", "text", "measure", "kind", "leader", "lead")
ORDER += ("units", "deadline", "progress", "status")
HEADERS = [STANDARD[name] for name in ORDER]
PER_MEASURE = {ORDER.index("measure"), ORDER.index("kind")}
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
WIDTHS = (8, 24, 48, 48, 10, 12, 16, 24, 16, 40, 18)


def export_xlsx(
    app: Ledger, out: IO[bytes], when: When | None = None, inspection_id: str | None = None
) -> int:
    """Write the workbook (every inspection, or one); returns the number of findings."""
    when = when or When.of()
    book = openpyxl.Workbook()
    book.remove(book.active)
    total = 0
    for counts in inspections(app, when, inspection_id):
        findings = shown(app, counts.inspection_id, when)
        _sheet(book.create_sheet(_title(counts.title, book.sheetnames)), counts, findings, when)
        total += len(findings)
    if not book.sheetnames:
        book.create_sheet("整改台账").append(HEADERS)
    book.save(out)
    return total


def _sheet(ws: Worksheet, counts: Any, findings: list[Shown], when: When) -> None:
    ws.append([cell_text(f"{counts.title}({counts.inspected_body})整改台账,截至 {when.as_of}")])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(65 + index)].width = width
    for finding in findings:
        _finding(ws, finding)


def _finding(ws: Worksheet, f: Shown) -> None:
    first = ws.max_row + 1
    measures = f.measures or [("", "")]
    for n, (kind, text) in enumerate(measures):
        values = _values(f) if n == 0 else [None] * len(HEADERS)
        values[ORDER.index("measure")], values[ORDER.index("kind")] = text or None, kind or None
        ws.append([cell_text(v) for v in values])
        row = ws.max_row
        ws.cell(row, ORDER.index("deadline") + 1).number_format = DATE_FORMAT
        for cell in ws[row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = ws.max_row
    if last > first:
        for column in range(len(HEADERS)):
            if column not in PER_MEASURE:
                ws.merge_cells(
                    start_row=first, start_column=column + 1, end_row=last, end_column=column + 1
                )


def cell_text(value: Any) -> Any:
    """A value XLSX can hold: control characters (which the API accepts in text, but
    a worksheet cannot store) become U+FFFD, so the export shows where they were."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def _values(f: Shown) -> list[Any]:
    deadline: Any = f.deadline if f.deadline is not None else ("长期坚持" if f.long_term else None)
    by_name = {
        "number": f.number,
        "category": "/".join(f.category),
        "text": f.text,
        "leader": f.leader or None,
        "lead": f.lead or None,
        "units": "、".join(f.units) or None,
        "deadline": deadline,
        "progress": f.progress or None,
        "status": f.status,
    }
    return [by_name.get(name) for name in ORDER]


def _title(title: str, taken: list[str]) -> str:
    """A legal, unique sheet title (≤ 31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", ILLEGAL_CHARACTERS_RE.sub("_", title))[:28] or "整改台账"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[:26]}-{n}"
    return name
