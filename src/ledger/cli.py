"""Command line: ``ledger demo``, ``ledger status``, ``ledger projections …``.

Messages for people are in Chinese; ``--json`` output uses English field names.
"""

from __future__ import annotations

import argparse
import importlib
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
from ledger.projections.queries import QueryError, ReadModels, When
from ledger.projections.runner import UnknownReadModel

console = Console()
errors = Console(stderr=True)


# Modules that add their own subcommands: each has ``register(commands)``,
# which calls ``commands.add_parser(...)`` and sets ``run`` (and, for a command
# that works without the database, ``needs_ledger=False``).
EXTENSIONS: tuple[str, ...] = (
    "ledger.api.cli",
    "ledger.audit_cli",
    "ledger.transfer.cli",
    "ledger.proof.cli",
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ledger`` console script."""
    args = _parser().parse_args(argv)
    if not getattr(args, "needs_ledger", True):
        return int(args.run(None, args))
    try:
        app = Ledger(Settings.from_env(args.database))
    except ConfigError as error:
        errors.print(f"[red]配置错误:{error}[/red]")
        return 2
    try:
        return int(args.run(app, args))
    except (QueryError, UnknownReadModel) as error:
        errors.print(f"[red]{error}[/red]")
        return 2
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
    status.add_argument("--as-of", type=parse_date, help="按此生效日期统计(YYYY-MM-DD),默认今天")
    status.add_argument(
        "--known-at",
        type=parse_moment,
        help="只计此时刻(含)之前已记录的事件(ISO 时间,默认北京时间)",
    )
    status.add_argument("--json", action="store_true", help="输出 JSON")
    status.set_defaults(run=_status)
    projections = commands.add_parser("projections", help="读模型:状态与重建")
    which = projections.add_subparsers(required=True, metavar="ACTION")
    which.add_parser("status", help="各读模型的位置与滞后").set_defaults(run=_projection_status)
    rebuild = which.add_parser("rebuild", help="从事件日志重建读模型(旁建后切换,不停机)")
    rebuild.add_argument("name", nargs="?", help="读模型名称,默认全部")
    rebuild.set_defaults(run=_rebuild)
    for name in EXTENSIONS:
        importlib.import_module(name).register(commands)
    return parser


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是有效日期 {text!r}(应为 YYYY-MM-DD)") from None


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"不是有效时间 {text!r}(应为 ISO 格式,如 2018-04-05T18:00 或 2018-04-05T10:00+00:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def _demo(app: Ledger, _args: argparse.Namespace) -> int:
    before = app.recorder.max_notification_id() or 0
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("载入示例数据", total=demo_size())
        load_demo(app, step=lambda label: progress.update(task, advance=1, description=label))
    written = (app.recorder.max_notification_id() or 0) - before
    console.print(f"示例数据已载入:新写入 {written} 条事件(数据库 {app.settings.database_url})")
    _print_counts(app, When.of())
    return 0


def _status(app: Ledger, args: argparse.Namespace) -> int:
    when = When.of(args.as_of, args.known_at)
    if args.json:
        rows = [c.as_dict() for c in ReadModels(app.projector).counts(when=when)]
        payload = {"as_of": when.as_of, "known_at": args.known_at, "inspections": rows}
        sys.stdout.write(orjson.dumps(payload).decode() + "\n")
        return 0
    _print_counts(app, when, args.known_at)
    return 0


def _print_counts(app: Ledger, when: When, known_at: datetime | None = None) -> None:
    known = f",按 {known_at.isoformat()} 时的记录" if known_at else ""
    table = Table(title=f"整改情况(截至 {when.as_of}{known})")
    for header in ("巡视/考核", "被检查对象", "问题总数", "已完成", "正在整改", "长期坚持", "逾期"):
        text = header in ("巡视/考核", "被检查对象")
        table.add_column(header, justify="left" if text else "right", overflow="fold")
    for c in ReadModels(app.projector).counts(when=when):
        figures = (c.total, c.completed, c.ongoing, c.long_term, c.overdue)
        table.add_row(c.title, c.inspected_body, *map(str, figures))
    console.print(table)


def _projection_status(app: Ledger, _args: argparse.Namespace) -> int:
    table = Table(title="读模型状态")
    for header in ("名称", "说明", "已读到", "日志末尾", "滞后"):
        table.add_column(header)
    for p in app.projector.status():
        # A read model kept behind the log lags until it is read (it is caught up then).
        title = f"{p.title}(查询时补齐)" if p.behind else p.title
        table.add_row(p.name, title, str(p.position), str(p.head), str(p.lag))
    console.print(table)
    return 0


def _rebuild(app: Ledger, args: argparse.Namespace) -> int:
    projector = app.projector
    if args.name is not None:
        projector.find(args.name)
    label = "全部读模型" if args.name is None else f"读模型 {args.name}"
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"重建 {label}", total=None)
        done = projector.rebuild(
            args.name, lambda read, head: progress.update(task, completed=read, total=head)
        )
    console.print(f"{label} 已重建:读取 {done} 条事件")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
