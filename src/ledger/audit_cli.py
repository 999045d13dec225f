"""``ledger audit trail|changes|state|diff``: who changed what, and replay for disputes."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from ledger import audit
from ledger.application import replay
from ledger.cli import parse_date, parse_moment
from ledger.domain.errors import DomainError
from ledger.projections.auditing import Filter

console = Console()
errors = Console(stderr=True)


def register(commands: Any) -> None:
    """Add ``audit`` to the ``ledger`` command."""
    group = commands.add_parser("audit", help="审计:谁在何时依据什么改了什么;回放与比对")
    actions = group.add_subparsers(required=True, metavar="ACTION")
    trail = actions.add_parser("trail", help="一条记录的全部事件及字段变更")
    trail.add_argument("record_id", help="记录编号(问题、巡视、单位、人员)")
    _outputs(trail)
    trail.set_defaults(run=_trail)
    changes = actions.add_parser("changes", help="全台账的变更(按操作人、单位、类型、时间段)")
    changes.add_argument("--actor", help="操作人编号")
    changes.add_argument("--unit", help="操作人所属单位编号")
    changes.add_argument("--record", help="记录编号")
    changes.add_argument("--kind", help="事件类型,如 Finding.DeadlineExtended")
    changes.add_argument("--since", type=parse_moment, help="记录时间不早于(ISO 时间)")
    changes.add_argument("--until", type=parse_moment, help="记录时间早于(ISO 时间)")
    changes.add_argument("--late", action="store_true", help="只看逾期后才作出的延期")
    changes.add_argument("--limit", type=int, default=1000, help="最多条数,默认 1000")
    _outputs(changes)
    changes.set_defaults(run=_changes)
    state = actions.add_parser("state", help="一条记录在某一时点的全部字段")
    state.add_argument("record_id")
    state.add_argument("--as-of", type=parse_date, help="生效日期 YYYY-MM-DD")
    state.add_argument("--known-at", type=parse_moment, help="记录时刻(ISO 时间,默认北京时间)")
    state.set_defaults(run=_state)
    diff = actions.add_parser("diff", help="一条记录在两个时点之间的差异")
    diff.add_argument("record_id")
    for side in ("from", "to"):
        diff.add_argument(f"--{side}-as-of", type=parse_date, help=f"{side} 时点的生效日期")
        diff.add_argument(f"--{side}-known-at", type=parse_moment, help=f"{side} 时点的记录时刻")
    diff.set_defaults(run=_diff)


def _outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", type=Path, metavar="FILE", help="导出为 CSV(中文表头)")
    parser.add_argument("--xlsx", type=Path, metavar="FILE", help="导出为 XLSX(中文表头)")


def _trail(app: Any, args: argparse.Namespace) -> int:
    return _guarded(lambda: _show(audit.of_record(audit.trail(app, args.record_id)), args))


def _changes(app: Any, args: argparse.Namespace) -> int:
    f = Filter(
        actor_id=args.actor,
        unit_id=args.unit,
        record_id=args.record,
        kind=args.kind,
        since=args.since,
        until=args.until,
        late=True if args.late else None,
    )

    def run() -> int:
        found, _next = audit.changes(app, f, None, args.limit)
        return _show(found, args)

    return _guarded(run)


def _state(app: Any, args: argparse.Namespace) -> int:
    def run() -> int:
        point = replay.Point(args.as_of, args.known_at)
        found = replay.state_at(app, args.record_id, point)
        print(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return 0

    return _guarded(run)


def _diff(app: Any, args: argparse.Namespace) -> int:
    def run() -> int:
        old = replay.Point(args.from_as_of, args.from_known_at)
        new = replay.Point(args.to_as_of, args.to_known_at)
        found = replay.difference(app, args.record_id, old, new)
        table = Table(title="字段差异")
        for header in ("字段", "原值", "新值"):
            table.add_column(header, overflow="fold")
        for c in found.changes:
            table.add_row(c.field, str(c.before), str(c.after))
        console.print(table)
        _show([(None, e) for e in found.added], args, "新增的事件(在新时点而不在旧时点)")
        if found.removed:
            _show([(None, e) for e in found.removed], args, "减少的事件")
        return 0

    return _guarded(run)


def _show(
    found: Sequence[tuple[int | None, replay.Entry]], args: Any, title: str = "审计记录"
) -> int:
    rows = audit.rows(found)
    if getattr(args, "csv", None):
        args.csv.write_bytes(audit.to_csv(rows))
        console.print(f"已导出 {len(rows)} 条到 {args.csv}")
    if getattr(args, "xlsx", None):
        args.xlsx.write_bytes(audit.to_xlsx(rows))
        console.print(f"已导出 {len(rows)} 条到 {args.xlsx}")
    if getattr(args, "csv", None) or getattr(args, "xlsx", None):
        return 0
    table = Table(title=title)
    for header in ("版本", "事件", "操作人", "记录时间", "生效时间", "理由/依据", "变更"):
        table.add_column(header, overflow="fold")
    for row in rows:
        why = " / ".join(x for x in (row[10], row[11]) if x)
        table.add_row(str(row[2]), row[3], row[4], row[8], row[9], why, row[13])
    console.print(table)
    return 0


def _guarded(run: Any) -> int:
    try:
        return int(run())
    except DomainError as error:
        errors.print(f"[red]{error}[/red]")
        return 2
