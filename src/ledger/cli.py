"""Command line: ``ledger demo``, ``ledger status``.

Messages for people are in Chinese; ``--json`` output uses English field names.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime

import orjson
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ledger.application.ledger import Ledger
from ledger.config import ConfigError, Settings
from ledger.demo.load import demo_size, load_demo
from ledger.domain.values import BEIJING
from ledger.projections.counts import counts

console = Console()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ledger`` console script."""
    args = _parser().parse_args(argv)
    try:
        app = Ledger(Settings.from_env(args.database))
    except ConfigError as error:
        console.print(f"[red]配置错误:{error}[/red]")
        return 2
    try:
        return int(args.run(app, args))
    finally:
        app.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ledger", description="巡视整改台账 (rectification ledger)"
    )
    parser.add_argument(
        "--database", help="数据库地址,默认取 LEDGER_DATABASE_URL,否则 sqlite:///ledger.db"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="载入示例数据(可重复执行,不会重复写入)")
    demo.set_defaults(run=_demo)
    status = commands.add_parser(
        "status", help="各巡视的问题总数、已完成、正在整改、长期坚持、逾期"
    )
    status.add_argument("--as-of", type=_date, help="按此生效日期统计(YYYY-MM-DD),默认今天")
    status.add_argument("--json", action="store_true", help="输出 JSON")
    status.set_defaults(run=_status)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是有效日期 {text!r}(应为 YYYY-MM-DD)") from None


def _demo(app: Ledger, _args: argparse.Namespace) -> int:
    before = app.recorder.max_notification_id() or 0
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("载入示例数据", total=demo_size())
        load_demo(app, step=lambda label: progress.update(task, advance=1, description=label))
    written = (app.recorder.max_notification_id() or 0) - before
    console.print(f"示例数据已载入:新写入 {written} 条事件(数据库 {app.settings.database_url})")
    _print_counts(app, _today())
    return 0


def _status(app: Ledger, args: argparse.Namespace) -> int:
    as_of = args.as_of or _today()
    if args.json:
        rows = [c.as_dict() for c in counts(app, as_of)]
        sys.stdout.write(orjson.dumps({"as_of": as_of, "inspections": rows}).decode() + "\n")
        return 0
    _print_counts(app, as_of)
    return 0


def _print_counts(app: Ledger, as_of: date) -> None:
    table = Table(title=f"整改情况(截至 {as_of})")
    for header in ("巡视/考核", "被检查对象", "问题总数", "已完成", "正在整改", "长期坚持", "逾期"):
        table.add_column(
            header, justify="left" if header in ("巡视/考核", "被检查对象") else "right"
        )
    for c in counts(app, as_of):
        table.add_row(
            c.title,
            c.inspected_body,
            *map(str, (c.total, c.completed, c.ongoing, c.long_term, c.overdue)),
        )
    console.print(table)


def _today() -> date:
    return datetime.now(BEIJING).date()


if __name__ == "__main__":
    raise SystemExit(main())
