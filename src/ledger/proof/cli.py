"""Subcommands: checkpoint, key public, proof, verify, bundle, verify-bundle.

Registered through ``ledger.cli.EXTENSIONS``. Proofs and bundles are JSON on
stdout; reports and errors are in Chinese.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from rich.console import Console
from rich.progress import Progress

from ledger.proof.bundle import BundleError, make_bundle, verify_bundle
from ledger.proof.checkpoint import Checkpoint, default_origin
from ledger.proof.history import verify_and_record
from ledger.proof.keys import KeyFileError, SigningKey, VerifierKey, default_path, load_or_create
from ledger.proof.service import ProofRequestError, Prover
from ledger.proof.store import Location

console = Console()
errors = Console(stderr=True)
COMMAND_LINE = "命令行 ledger verify"  # who asked, in the verdict's record


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``ledger`` parser."""
    checkpoint = commands.add_parser("checkpoint", help="签发并导出当前日志的检查点")
    checkpoint.add_argument("--out", type=Path, help="写入此文件(默认打印)")
    checkpoint.set_defaults(run=_guard(_checkpoint))
    key = commands.add_parser("key", help="签名密钥")
    key.add_subparsers(required=True, metavar="ACTION").add_parser(
        "public", help="打印公钥(首次使用时创建密钥)"
    ).set_defaults(run=_guard(_public_key))
    _register_proofs(commands)
    verify = commands.add_parser("verify", help="重新核验整个日志与检查点")
    verify.add_argument("--checkpoint", type=Path, action="append", default=[], help="检查点文件")
    verify.add_argument("--public-key", type=Path, help="公钥文件(默认取本机密钥的公钥)")
    verify.add_argument("--workers", type=int, help="并行进程数(默认 CPU 核数)")
    verify.set_defaults(run=_guard(_verify))
    bundle = commands.add_parser("bundle", help="导出争议包:事件、包含证明与签名检查点")
    which = bundle.add_mutually_exclusive_group(required=True)
    which.add_argument("--finding", help="一个问题(或任何记录)的编号:其全部事件")
    which.add_argument("--event", action="append", help="事件 ORIGINATOR_ID:VERSION,可多次")
    bundle.add_argument("--out", type=Path, required=True, help="争议包文件")
    bundle.set_defaults(run=_guard(_bundle))
    check = commands.add_parser("verify-bundle", help="离线核验争议包(不需要数据库)")
    check.add_argument("file", type=Path)
    check.add_argument("--public-key", type=Path, required=True, help="公钥文件")
    check.set_defaults(run=_guard(_verify_bundle), needs_ledger=False)


def _register_proofs(commands: Any) -> None:
    proof = commands.add_parser("proof", help="包含证明与一致性证明(JSON)")
    kinds = proof.add_subparsers(required=True, metavar="KIND")
    inclusion = kinds.add_parser("inclusion", help="某条事件在日志中的包含证明")
    inclusion.add_argument("seq", nargs="?", type=int, help="条目序号(从 1 起)")
    inclusion.add_argument("--event", help="或按事件:ORIGINATOR_ID:VERSION")
    inclusion.add_argument("--size", type=int, help="树大小(默认当前日志大小)")
    inclusion.set_defaults(run=_guard(_inclusion))
    consistency = kinds.add_parser("consistency", help="两个树大小之间的一致性证明")
    consistency.add_argument("old", type=int)
    consistency.add_argument("new", type=int)
    consistency.set_defaults(run=_guard(_consistency))


def _guard(command: Any) -> Any:
    def run(app: Any, args: argparse.Namespace) -> int:
        try:
            return int(command(app, args))
        except (ProofRequestError, KeyFileError, BundleError, OSError) as error:
            errors.print(f"[red]{error}[/red]", highlight=False)
            return 2

    return run


def _key(app: Any) -> SigningKey:
    return load_or_create(default_path(Location.of(app)))


def _checkpoint(app: Any, args: argparse.Namespace) -> int:
    key = _key(app)
    prover = Prover(Location.of(app).open())
    size = prover.size()
    note = Checkpoint(default_origin(key), size, prover.root(size)).sign(key)
    if args.out is None:
        sys.stdout.write(note)
    else:
        args.out.write_text(note)
        console.print(f"检查点已导出到 {args.out}:大小 {size},签名者 {key.name}")
    return 0


def _public_key(app: Any, _args: argparse.Namespace) -> int:
    sys.stdout.write(_key(app).verifier.text() + "\n")
    return 0


def _inclusion(app: Any, args: argparse.Namespace) -> int:
    prover = Prover(Location.of(app).open())
    if (args.seq is None) == (args.event is None):
        raise ProofRequestError("请给出条目序号或 --event ORIGINATOR_ID:VERSION(二选一)")
    seq = args.seq if args.event is None else prover.position(*_event(args.event))
    _print(prover.inclusion(seq, args.size))
    return 0


def _consistency(app: Any, args: argparse.Namespace) -> int:
    _print(Prover(Location.of(app).open()).consistency(args.old, args.new))
    return 0


def _verify(app: Any, args: argparse.Namespace) -> int:
    location = Location.of(app)
    verifier = _verifier(args.public_key, location) if args.checkpoint else None
    notes = [path.read_text() for path in args.checkpoint]
    with Progress(console=errors, transient=True) as progress:
        task = progress.add_task("核验日志", total=None)
        verdict, _ = verify_and_record(
            location,
            COMMAND_LINE,
            notes,
            verifier,
            lambda done, total: progress.update(task, completed=done, total=total),
            args.workers,
        )
    for line in verdict.checked:
        console.print(f"[green]✓[/green] {line}")
    if verdict.first is None:
        console.print(f"[green]核验通过[/green]:{verdict.size} 条条目,{verdict.events} 个事件")
        return 0
    where = f"第 {verdict.first.seq} 条" if verdict.first.seq else "检查点"
    errors.print(f"[red]核验失败[/red]:首个问题在{where}:{verdict.first.message}", highlight=False)
    for problem in verdict.problems[1:]:
        errors.print(f"  另见第 {problem.seq} 条:{problem.message}", highlight=False)
    return 1


def _verifier(path: Path | None, location: Location) -> VerifierKey:
    if path is not None:
        return VerifierKey.parse(path.read_text())
    return load_or_create(default_path(location)).verifier


def _bundle(app: Any, args: argparse.Namespace) -> int:
    prover = Prover(Location.of(app).open())
    if args.finding is not None:
        seqs = prover.positions(_uuid(args.finding))
    else:
        seqs = [prover.position(*_event(text)) for text in args.event]
    bundle = make_bundle(prover, seqs, _key(app))
    args.out.write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
    console.print(f"争议包已导出到 {args.out}:{len(seqs)} 个事件,检查点大小 {prover.size()}")
    return 0


def _verify_bundle(_app: Any, args: argparse.Namespace) -> int:
    verifier = VerifierKey.parse(args.public_key.read_text())
    checkpoint, proven = verify_bundle(args.file.read_bytes(), verifier)
    console.print(
        f"[green]争议包核验通过[/green]:{len(proven)} 个事件都在 {verifier.name} 签名的"
        f"日志(大小 {checkpoint.size})中"
    )
    for event in proven:
        console.print(
            f"  第 {event.seq} 条  {event.originator_id}:{event.originator_version}  {event.topic}"
        )
    return 0


def _event(text: str) -> tuple[str, int]:
    identifier, _, version = text.rpartition(":")
    if not version.isdigit():
        raise ProofRequestError(f"事件应写作 ORIGINATOR_ID:VERSION,而不是 {text!r}")
    return _uuid(identifier), int(version)


def _uuid(text: str) -> str:
    try:
        return str(UUID(text))
    except ValueError:
        raise ProofRequestError(f"{text!r} 不是有效的编号(UUID)") from None


def _print(payload: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
