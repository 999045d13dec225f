"""``ledger serve`` and ``ledger token issue|revoke|list``.

``ledger serve --demo`` is the newcomer's road: load the demo (writes
nothing the second time), issue a fresh token for each role (the previous
demo tokens are revoked), print them with the URL, and serve.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from rich.console import Console
from rich.table import Table

from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo_units
from ledger.demo.tokens import demo_actors
from ledger.domain.errors import DomainError
from ledger.infrastructure.credentials import Credentials, TokenInfo

console = Console()
errors = Console(stderr=True)
DEMO_LABEL = "demo"


def register(commands: Any) -> None:
    """Add ``serve`` and ``token`` to the ``ledger`` command."""
    serve = commands.add_parser("serve", help="启动 HTTP 接口(/docs 为接口文档)")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址,默认 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="端口,默认 8000")
    serve.add_argument("--workers", type=int, default=1, help="工作进程数,默认 1")
    serve.add_argument("--demo", action="store_true", help="先载入示例数据并为每个角色签发令牌")
    serve.set_defaults(run=_serve)
    token = commands.add_parser("token", help="接口令牌:签发、吊销、列出")
    actions = token.add_subparsers(required=True, metavar="ACTION")
    issue = actions.add_parser("issue", help="签发令牌(只显示一次)")
    issue.add_argument("--actor", required=True, help="操作人编号(写入每条事件)")
    issue.add_argument("--name", required=True, help="操作人姓名")
    issue.add_argument("--role", required=True, help="角色:" + "、".join(_roles()))
    issue.add_argument("--unit", help="所属单位编号(责任单位必填)")
    issue.add_argument("--expires", type=int, metavar="DAYS", help="有效天数,默认不过期")
    issue.add_argument("--label", default="", help="备注")
    issue.set_defaults(run=_issue)
    revoke = actions.add_parser("revoke", help="吊销令牌")
    revoke.add_argument("token_id", help="令牌编号(lg_ 之后、第二个 _ 之前的 16 位)")
    revoke.set_defaults(run=_revoke)
    actions.add_parser("list", help="列出全部令牌(不含密钥)").set_defaults(run=_list)


def _roles() -> list[str]:
    from ledger.domain.values import Role

    return [r.value for r in Role]


def _issue(app: Ledger, args: argparse.Namespace) -> int:
    store = Credentials(app.projector.db.engine)
    try:
        token, info = store.issue(
            actor_id=args.actor,
            name=args.name,
            role=args.role,
            unit=args.unit,
            days=args.expires,
            label=args.label,
        )
    except DomainError as error:
        errors.print(f"[red]{error}[/red]")
        return 2
    expires = info.expires_at.isoformat() if info.expires_at else "不过期"
    console.print(f"已签发令牌 {info.token_id}({info.actor.role.label},{expires}):")
    print(token)
    return 0


def _revoke(app: Ledger, args: argparse.Namespace) -> int:
    try:
        info = Credentials(app.projector.db.engine).revoke(args.token_id)
    except DomainError as error:
        errors.print(f"[red]{error}[/red]")
        return 2
    console.print(f"已吊销令牌 {info.token_id}({info.actor.name})")
    return 0


def _list(app: Ledger, _args: argparse.Namespace) -> int:
    table = Table(title="接口令牌")
    for header in ("编号", "操作人", "姓名", "角色", "单位", "签发", "到期", "状态", "备注"):
        table.add_column(header)
    for t in Credentials(app.projector.db.engine).list():
        table.add_row(*_row(t))
    console.print(table)
    return 0


def _row(t: TokenInfo) -> list[str]:
    expires = t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "—"
    state = "已吊销" if t.revoked else "有效"
    unit = str(t.actor.unit) if t.actor.unit else "—"
    issued = t.issued_at.strftime("%Y-%m-%d %H:%M")
    return [
        t.token_id,
        t.actor.id,
        t.actor.name,
        t.actor.role.label,
        unit,
        issued,
        expires,
        state,
        t.label,
    ]


def _serve(app: Ledger, args: argparse.Namespace) -> int:
    import uvicorn

    from ledger.api.serving import JoinedHttpToolsProtocol

    if args.demo:
        _demo_tokens(app)
    os.environ["LEDGER_DATABASE_URL"] = app.settings.database_url
    url = f"http://{args.host}:{args.port}"
    console.print(f"接口地址 {url}/api/v1 ,接口文档 {url}/docs (Ctrl+C 停止)")
    app.close()
    uvicorn.run(
        "ledger.api.app:from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        http=JoinedHttpToolsProtocol,
        log_level="warning",
    )
    return 0


def _demo_tokens(app: Ledger) -> None:
    ids, units = load_demo_units(app)
    store = Credentials(app.projector.db.engine)
    for old in store.list():
        if old.label == DEMO_LABEL and not old.revoked:
            store.revoke(old.token_id)
    console.print(f"示例巡视:{', '.join(map(str, ids.values()))}")
    console.print("示例令牌(每次启动重新签发,旧的示例令牌随即吊销):")
    for actor in demo_actors(units):
        token, _info = store.issue(
            actor_id=actor.id,
            name=actor.name,
            role=actor.role.value,
            unit=str(actor.unit) if actor.unit else None,
            label=DEMO_LABEL,
        )
        console.print(f"  {actor.role.label:　<6}{actor.name}", highlight=False)
        print(f"    {token}")
    console.print('用法:curl -H "Authorization: Bearer <令牌>" .../api/v1/inspections')
