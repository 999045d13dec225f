"""Subcommands ``ledger import``, ``ledger export xlsx|report|archive`` and ``ledger restore``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ledger.application.ledger import Ledger
from ledger.cli import parse_date, parse_moment
from ledger.projections.queries import When
from ledger.transfer.archive import ArchiveError, export_archive, restore_archive
from ledger.transfer.importer import (
    ImportOptions,
    ImportReport,
    NewInspection,
    apply_import,
    plan_import,
)
from ledger.transfer.report import progress_report
from ledger.transfer.xlsx_out import export_xlsx

console = Console()
errors = Console(stderr=True)


def register(commands: Any) -> None:
    """Add the transfer subcommands to the ``ledger`` command line."""
    _import_parser(
        commands.add_parser("import", help="导入 Excel/CSV 整改台账(先用 --dry-run 检查)")
    )
    export = commands.add_parser("export", help="导出:xlsx 台账、整改进展情况报告、事件归档")
    kinds = export.add_subparsers(required=True, metavar="KIND")
    xlsx = kinds.add_parser("xlsx", help="按台账格式导出 Excel(可按某日、某记录时刻)")
    xlsx.add_argument("out", type=Path)
    xlsx.add_argument("--inspection", help="只导出此巡视(编号)")
    _when_options(xlsx)
    xlsx.set_defaults(run=_export_xlsx)
    report = kinds.add_parser("report", help="公开的整改进展情况(HTML 或 Markdown,不含人名)")
    report.add_argument("out", type=Path)
    report.add_argument("--format", choices=("html", "md"), help="默认按文件扩展名")
    _when_options(report)
    report.set_defaults(run=_export_report)
    archive = kinds.add_parser("archive", help="全部事件及完整性数据,JSON Lines")
    archive.add_argument("out", type=Path)
    archive.set_defaults(run=_export_archive)
    restore = commands.add_parser("restore", help="把事件归档恢复到一个空数据库")
    restore.add_argument("archive", type=Path)
    restore.set_defaults(run=_restore)


def _import_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help=".xlsx 或 .csv(UTF-8 / GB18030)")
    p.add_argument("--dry-run", action="store_true", help="只检查并列出全部问题,不写入")
    p.add_argument("--actor", required=True, help="导入人账号(记入每条事件)")
    p.add_argument("--name", required=True, help="导入人姓名")
    p.add_argument("--inspection", help="导入到已有巡视(编号)")
    p.add_argument("--title", help="新建(或按标题沿用)巡视:标题")
    p.add_argument("--kind", default="tour", help="新建巡视的类型,默认 tour(巡察)")
    p.add_argument("--inspecting-body", help="新建巡视:巡视(检查)组")
    p.add_argument("--inspected-body", help="新建巡视:被巡视(检查)对象")
    p.add_argument("--feedback-date", type=parse_date, help="新建巡视:反馈日期")
    p.add_argument("--year", type=int, help="不带年份的日期(如 6月10日前)所属年份")
    p.add_argument("--map", action="append", default=[], help="列映射 标准列名=文件列名,可重复")
    p.add_argument("--sheet", help="工作表名称,默认第一个")
    p.add_argument("--effective", type=parse_date, help="导入内容的生效日期,默认今天")
    p.add_argument("--unit-level", default="county", help="台账中新出现单位的级别,默认 county")
    p.add_argument("--json", action="store_true", help="输出 JSON 报告")
    p.set_defaults(run=_import)


def _when_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=parse_date, help="按此生效日期(YYYY-MM-DD)")
    p.add_argument("--known-at", type=parse_moment, help="只计此时刻之前已记录的事件")


def _import(app: Ledger, args: argparse.Namespace) -> int:
    options = _options(args)
    run = plan_import if args.dry_run else apply_import
    with Progress(console=errors, transient=True) as progress:
        task = progress.add_task("检查并导入" if not args.dry_run else "检查", total=None)
        report = run(
            app,
            args.file,
            options,
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    if args.json:
        sys.stdout.write(orjson.dumps(report.as_dict()).decode() + "\n")
    else:
        _print_import(report)
    return 1 if report.problems else 0


def _options(args: argparse.Namespace) -> ImportOptions:
    new = None
    if args.title:
        new = NewInspection(
            kind=args.kind,
            title=args.title,
            inspecting_body=args.inspecting_body or args.title,
            inspected_body=args.inspected_body or "",
            feedback_date=args.feedback_date,
        )
    return ImportOptions(
        actor_id=args.actor,
        actor_name=args.name,
        inspection_id=args.inspection,
        new_inspection=new,
        mapping=tuple(args.map),
        year=args.year,
        sheet=args.sheet,
        effective=args.effective,
        unit_level=args.unit_level,
    )


def _print_import(report: ImportReport) -> None:
    if report.problems:
        table = Table(title=f"发现 {len(report.problems)} 处问题,未导入任何内容")
        for header in ("工作表", "行", "列", "问题"):
            table.add_column(header, overflow="fold")
        for p in report.problems:
            table.add_row(p.sheet, str(p.row or ""), p.column, p.message)
        console.print(table)
        return
    verb = "检查通过(未写入)" if report.dry_run else "导入完成"
    console.print(
        f"{verb}:{report.findings} 个问题,新增 {report.created},变更 {report.changed},"
        f"无变化 {report.unchanged},新建单位 {report.units_created},"
        f"{'将写入' if report.dry_run else '写入'} {report.events} 条事件"
        f"(文件 sha256 {report.sha256[:16]}…,巡视 {report.inspection_id})"
    )


def _export_xlsx(app: Ledger, args: argparse.Namespace) -> int:
    when = When.of(args.as_of, args.known_at)
    with args.out.open("wb") as out:
        count = export_xlsx(app, out, when, args.inspection)
    console.print(f"已导出 {count} 个问题到 {args.out}(截至 {when.as_of})")
    return 0


def _export_report(app: Ledger, args: argparse.Namespace) -> int:
    fmt = args.format or ("md" if args.out.suffix.lower() in (".md", ".markdown") else "html")
    text = progress_report(app, fmt, When.of(args.as_of, args.known_at))
    args.out.write_text(text, encoding="utf-8")
    console.print(f"整改进展情况已写入 {args.out}")
    return 0


def _export_archive(app: Ledger, args: argparse.Namespace) -> int:
    with Progress(console=errors, transient=True) as progress, args.out.open("wb") as out:
        task = progress.add_task("导出事件归档", total=None)
        summary = export_archive(
            app, out, lambda done, total: progress.update(task, completed=done, total=total)
        )
    console.print(
        f"已导出 {summary.events} 条事件、{summary.keys} 个幂等键;根哈希 {summary.root_hash}"
    )
    return 0


def _restore(app: Ledger, args: argparse.Namespace) -> int:
    try:
        with Progress(console=errors, transient=True) as progress:
            task = progress.add_task("恢复事件", total=None)
            summary = restore_archive(
                app,
                str(args.archive),
                lambda done, total: progress.update(task, completed=done, total=total),
            )
    except (ArchiveError, OSError) as error:
        errors.print(f"[red]恢复失败:{error}[/red]")
        return 2
    console.print(
        f"已恢复 {summary.events} 条事件、{summary.keys} 个幂等键,"
        f"根哈希 {summary.root_hash},读模型已重建"
    )
    return 0
