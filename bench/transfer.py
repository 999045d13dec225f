"""Transfer benchmark: spreadsheet import, archive export and restore, against the core's append.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/transfer.py --archive-db sqlite:////tmp/transfer-1m.db
    .venv/bin/python bench/transfer.py --backend postgres --rows 20000

1. The reference: the core's batched append rate, measured in this run exactly
   as ``bench/append.py`` does. Its group B has two figures for "100 events per
   transaction", and both are printed: ``batch() of 100 commands`` (each event
   decided by a command, then written: what an import does) and ``save() of 100
   decided events`` (written only: the stricter one). The ratios use both.
2. Import: a generated workbook of ``--rows`` rows (4 measure rows per finding;
   a third of the findings completed, two thirds with a progress report) into an
   empty ledger with ``apply_import``: reading, checking, deciding every command
   and writing them in one transaction. Events per second of the whole import.
3. Archive export: ``export_archive`` of the ledger at ``--archive-db`` (make one
   with ``bench/generate.py``) into a file. Events per second.
4. Restore: that archive into an empty database: the checking pass, the insert
   pass (events per second of both), then the read-model rebuild on its own.

Each rate is also given per CPU-second of this process (all its threads), and
the import's and restore's ratios both ways: on a shared machine the CPU-time
ratio is the one other work bends least. The import's CPU time includes its
writer process's (a large import is written by a second process as it is decided).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import openpyxl
import psycopg
from psycopg import sql

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.transfer.archive import check_archive, export_archive, restore_archive
from ledger.transfer.importer import ImportOptions, NewInspection, apply_import

sys.path.insert(0, str(Path(__file__).parent))
import append  # the core's benchmark, reused for its reference figure

# The import's options: a new inspection, as a first import of a file would make.
OPTIONS = ImportOptions(
    "bench",
    "导入员",
    year=2019,
    effective=date(2019, 3, 1),
    new_inspection=NewInspection(
        "tour", "市委第一轮巡察", "市委第一巡察组", "某市", date(2019, 1, 18)
    ),
)
HEADER = ["序号", "问题类别", "问题描述", "整改措施", "措施类型", "责任领导", "牵头单位"]
HEADER += ["责任单位", "整改时限", "整改进展", "完成情况"]
UNITS = [
    f"{county}{dept}"
    for county in ("观山湖区", "花溪区", "清镇市", "修文县")
    for dept in (
        "扶贫办",
        "财政局",
        "教育局",
        "卫健局",
        "农业农村局",
        "人社局",
        "住建局",
        "水务局",
        "民政局",
        "医保局",
    )
]
CATEGORIES = [
    "精准识别/识别不准",
    "扶贫资金/资金管理",
    "产业扶贫/项目带贫",
    "作风建设/形式主义",
    "教育扶贫/控辍保学",
    "健康扶贫/医疗保障",
]
KINDS = ["立行立改", "举一反三", "建章立制", "立行立改"]


def append_rate(backend: Any, rounds: int, events: int) -> dict[str, tuple[float, float]]:
    """The core's batched appends, ``batch() of 100 commands`` ("ours_b") and ``save() of
    100 decided events`` ("ours_app"), alternating round by round: for each, the median
    events per second and per CPU-second of this process."""
    narrative, state, *_ = append.calibrate()
    contenders = append.Contenders(backend, narrative, state)
    try:
        targets = [contenders.targets()[key] for key in REFERENCES]
        for target in targets:  # warm-up: statements, page cache, WAL file
            target.setup()
            target.run(2 * append.BATCH)
        for r in range(rounds):
            for target in targets[r % 2 :] + targets[: r % 2]:
                append.timed(target, events)
        return {
            t.key: (statistics.median(t.rates), 1e6 / statistics.median(t.cpu)) for t in targets
        }
    finally:
        contenders.close()


REFERENCES = {"ours_b": "batch() of 100 commands", "ours_app": "save() of 100 decided events"}


def workbook(rows: int, path: Path) -> int:
    """A ledger workbook of ``rows`` rows, 4 measure rows per finding; returns findings."""
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("整改台账")
    ws.append(["某市巡察反馈问题整改台账"])
    ws.append(HEADER)
    findings = rows // 4
    for n in range(findings):
        for i, kind in enumerate(KINDS):
            measure = f"第{i + 1}项措施:针对问题{n + 1}逐项整改,建立长效机制,明确责任到人。"
            ws.append(_first(n, measure, kind) if i == 0 else [None, None, None, measure, kind])
    book.save(path)
    return findings


def _first(n: int, measure: str, kind: str) -> list[Any]:
    lead = UNITS[n % len(UNITS)]
    units = "、".join(
        dict.fromkeys([lead, UNITS[(n * 7) % len(UNITS)], UNITS[(n * 13) % len(UNITS)]])
    )
    done = n % 3 == 0
    deadline: Any = date(2019, 6, 30) + timedelta(days=n % 300) if n % 5 else "长期坚持"
    if n % 7 == 1 and deadline != "长期坚持":
        deadline = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    progress = f"已完成{n % 90 + 10}%的整改任务,相关佐证材料已归档。" if n % 3 != 2 else None
    status = "已完成" if done else "正在整改"
    if deadline == "长期坚持":
        status += ",需长期坚持"
    return [
        str(n + 1),
        CATEGORIES[n % len(CATEGORIES)],
        f"问题{n + 1}:扶贫领域存在的具体问题描述,涉及若干乡镇。",
        measure,
        kind,
        "分管副市长",
        lead,
        units,
        deadline,
        progress,
        status,
    ]


class Databases:
    """Fresh empty databases on one back end, removed at the end."""

    def __init__(self, backend: str, pg_url: str, prefix: str = "bench_tr") -> None:
        self.backend, self.pg_url, self.prefix = backend, pg_url, prefix
        self.dir = tempfile.mkdtemp(prefix="ledger-transfer-")
        self.schemas: list[str] = []

    def fresh(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.dir}/{name}.db"
        schema = f"{self.prefix}_{uuid4().hex[:8]}_{name}"
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        self.schemas.append(schema)
        return f"{self.pg_url}?schema={schema}"

    def close(self) -> None:
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            for schema in self.schemas:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        for path in Path(self.dir).glob("*"):
            path.unlink()
        os.rmdir(self.dir)


def bench_import(dbs: Databases, rows: int) -> tuple[float, float]:
    path = Path(dbs.dir) / "ledger.xlsx"
    started = time.perf_counter()
    findings = workbook(rows, path)
    print(
        f"   workbook: {rows:,} rows, {findings:,} findings, {path.stat().st_size / 1e6:.1f} MB "
        f"(made in {time.perf_counter() - started:.1f} s)"
    )
    app = Ledger(Settings(dbs.fresh("import")))
    options = OPTIONS
    try:
        started, cpu, helpers = time.perf_counter(), time.process_time(), _children_cpu()
        report = apply_import(app, path, options)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        helpers = _children_cpu() - helpers  # the writer process of a large import
        cpu += helpers
    finally:
        app.close()
    assert report.applied and not report.problems, report.problems[:5]
    rate = report.events / seconds
    print(
        f"   import:   {report.events:,} events in {seconds:.1f} s = {rate:,.0f} events/s "
        f"({rows / seconds:,.0f} rows/s); CPU {cpu:.1f} s (of which its writer process "
        f"{helpers:.1f} s) = {report.events / cpu:,.0f} events per CPU-second"
    )
    return rate, report.events / cpu


def _children_cpu() -> float:
    """User and system CPU seconds of the child processes that have ended."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_archive(dbs: Databases, url: str) -> tuple[float, float, float, float]:
    path = Path(dbs.dir) / "archive.jsonl"
    source = Ledger(Settings(url))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with path.open("wb") as out:
            summary = export_archive(source, out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        source.close()
    export = summary.events / seconds
    print(
        f"   export:   {summary.events:,} events in {seconds:.1f} s = {export:,.0f} events/s "
        f"({path.stat().st_size / 1e6:.0f} MB); CPU {cpu:.1f} s, all threads"
    )
    started = time.perf_counter()
    with path.open("rb") as archive:
        check_archive(archive)
    check = time.perf_counter() - started
    target = Ledger(Settings(dbs.fresh("restore")))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        restore_archive(target, str(path), rebuild=False)
        restore, cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        target.projector.rebuild()
        rebuild = time.perf_counter() - started
    finally:
        target.close()
    rate = summary.events / restore
    print(
        f"   restore:  {summary.events:,} events in {restore:.1f} s = {rate:,.0f} events/s "
        f"(of which the checking pass {check:.1f} s), CPU {cpu:.1f} s = "
        f"{summary.events / cpu:,.0f} events per CPU-second; read-model rebuild after it "
        f"{rebuild:.1f} s "
        f"= {summary.events / (restore + rebuild):,.0f} events/s with the rebuild"
    )
    return export, rate, summary.events / (restore + rebuild), summary.events / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--archive-db", help="ledger to archive (bench/generate.py makes one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--append-events", type=int, default=2000)
    parser.add_argument(
        "--schema-prefix", default="bench_tr", help="of the PostgreSQL schemas made and dropped"
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, back end {args.backend}")
    backend = (
        append.SQLiteBackend() if args.backend == "sqlite" else append.PostgresBackend(args.pg_url)
    )
    try:
        references = append_rate(backend, args.rounds, args.append_events)
    finally:
        backend.close()
    for key, (rate, cpu) in references.items():
        print(
            f"   append:   ours {REFERENCES[key]}, median of {args.rounds}: "
            f"{rate:,.0f} events/s, {cpu:,.0f} events per CPU-second"
        )
    dbs = Databases(args.backend, args.pg_url, args.schema_prefix)
    try:
        rate, rate_cpu = bench_import(dbs, args.rows)
        for key, (reference, reference_cpu) in references.items():
            print(
                f"   import / {REFERENCES[key]} = {rate / reference:.2f}x, per CPU-second "
                f"{rate_cpu / reference_cpu:.2f}x   (target >= 0.5x)"
            )
        if args.archive_db:
            export, restore, full, restore_cpu = bench_archive(dbs, args.archive_db)
            print(f"   archive export {export:,.0f} events/s   (target >= 200,000)")
            for key, (reference, reference_cpu) in references.items():
                print(
                    f"   restore / {REFERENCES[key]} = {restore / reference:.2f}x, with the "
                    f"rebuild {full / reference:.2f}x, per CPU-second "
                    f"{restore_cpu / reference_cpu:.2f}x (target >= 0.5x)"
                )
    finally:
        dbs.close()


if __name__ == "__main__":
    main()
