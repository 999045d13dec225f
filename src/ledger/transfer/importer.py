"""Importing a rectification ledger kept in Excel or CSV: check everything, then all or nothing.

``plan_import`` checks a file and decides every command it implies without
writing anything (the dry run); ``apply_import`` does the same and, if
nothing is wrong, records it all in one transaction. Both return an
``ImportReport`` listing every problem by sheet, row and column.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ledger.application.ledger import Ledger
from ledger.infrastructure import collector
from ledger.transfer.columns import Header, MappingProblem, find_header, mapping
from ledger.transfer.rows import Planned, Problem, RowReader
from ledger.transfer.sheets import NotReadable, Sheet, read

Step = Callable[[int, int], None]  # (findings done, findings in the file)
PREFIX = "import:"  # of an import's idempotency keys, followed by the file's sha256
# Files from this size (about 10,000 rows of a typical ledger) are written while
# they are decided, by a second process (a SQLite file only; see ``_run``).
STREAM_BYTES = 256 * 1024


@dataclass(frozen=True)
class NewInspection:
    """The inspection to create when the file's findings belong to a new one.

    An inspection with the same title and inspected body is reused, so that
    importing the file again (or a corrected version) updates the same one.
    """

    kind: str
    title: str
    inspecting_body: str
    inspected_body: str
    feedback_date: date | None = None


@dataclass(frozen=True)
class ImportOptions:
    """Who imports, into which inspection, and how to read the file.

    ``inspection_id`` names an existing inspection; otherwise ``new_inspection``
    is used. ``mapping`` holds ``标准列名=文件列名`` overrides; ``year`` completes
    dates written without one (6月10日前); ``effective`` is the date the
    recorded changes take effect (default: the day of the import).
    """

    actor_id: str
    actor_name: str
    inspection_id: str | None = None
    new_inspection: NewInspection | None = None
    mapping: tuple[str, ...] = ()
    year: int | None = None
    sheet: str | None = None
    effective: date | None = None
    unit_level: str = "county"


@dataclass
class ImportReport:
    """What an import found and did; ``applied`` is true only if it was recorded."""

    sha256: str
    sheet: str = ""
    rows: int = 0
    findings: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    units_created: int = 0
    events: int = 0
    inspection_id: str | None = None
    dry_run: bool = True
    applied: bool = False
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, English field names."""
        return asdict(self)


class Abandon(Exception):
    """Raised inside the batch to drop every decided command unwritten."""


def plan_import(
    app: Ledger, source: Path | bytes, options: ImportOptions, step: Step | None = None
) -> ImportReport:
    """Check the file and decide every command, recording nothing (the dry run)."""
    return _run(app, source, options, step, dry_run=True)


def apply_import(
    app: Ledger, source: Path | bytes, options: ImportOptions, step: Step | None = None
) -> ImportReport:
    """Record the file's differences from the ledger in one transaction, or nothing.

    Any problem anywhere in the file refuses the whole import; the report
    lists them all.
    """
    return _run(app, source, options, step, dry_run=False)


def _run(
    app: Ledger, source: Path | bytes, options: ImportOptions, step: Step | None, dry_run: bool
) -> ImportReport:
    from ledger.transfer.decide import Decider

    data = source.read_bytes() if isinstance(source, Path) else source
    report = ImportReport(hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    # A large file's events are written by a second process while they are still
    # being decided (``LedgerCore.drain``); started first, it is ready by then.
    writer = app.stream_writer() if not dry_run and len(data) >= STREAM_BYTES else None
    try:
        with collector.paused():
            found = _planned(data, options, report)
            if found is None:
                return report
            planned, header = found
            report.findings = len(planned)
            try:
                with app.batch(keys=f"{PREFIX}{report.sha256[:24]}:", writer=writer):
                    Decider(app, options, report).run(planned, step, header.label)
                    if dry_run or report.problems:
                        raise Abandon
            except Abandon:
                return report
    finally:
        if writer is not None:  # rolled back unless committed (then this does nothing)
            writer.abandon()
    report.applied = True
    return report


def _planned(
    data: bytes, options: ImportOptions, report: ImportReport
) -> tuple[list[Planned], Header] | None:
    """The file's findings and header, or None (problems noted) if it cannot be read at all."""
    try:
        overrides = mapping(options.mapping)
        sheet = read(data, options.sheet)
    except (NotReadable, MappingProblem) as error:
        report.problems.append(Problem(options.sheet or "", 0, "", str(error)))
        return None
    report.sheet = sheet.name
    header = find_header(sheet.rows, overrides)
    if header is None:
        report.problems.append(Problem(sheet.name, 0, "", _no_header(sheet)))
        return None
    missing = header.missing()
    for name in missing:
        report.problems.append(Problem(sheet.name, header.row + 1, name, f"缺少必需列「{name}」"))
    if missing:
        return None
    reader = RowReader(sheet, header, options.year)
    planned = reader.read()
    report.problems.extend(reader.problems)
    report.rows = len(sheet.rows) - header.row - 1
    if not planned and not reader.problems:
        report.problems.append(Problem(sheet.name, header.row + 1, "", "表头下没有任何数据行"))
    return planned, header


def _no_header(sheet: Sheet) -> str:
    if not any(v not in (None, "") for row in sheet.rows for v in row):
        return "工作表为空"
    return "找不到表头行:前 10 行中没有一行含至少两个已知列名(序号、问题类别、问题描述、完成情况等)"
