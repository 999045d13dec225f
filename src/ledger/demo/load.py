"""Load the demo: the Guizhou assessment findings, the Longchuan plan and Yongding's 2018
accountability, clue and fund figures (``yongding``).

Every command carries an idempotency key derived from the demo's own data,
so loading twice writes nothing the second time. Each inspection is loaded
in one batch: it lands whole or not at all.

Dates the seeds do not give (claims, verifications, letters, extensions) are
invented but consistent with the published figures: as of 2018-06-30 the
Guizhou national assessment shows 68 problems, 50 completed, 18 ongoing, 24
long-term.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.demo import data
from ledger.demo.yongding import YONGDING_STEPS, load_yongding
from ledger.domain.values import Actor

Step = Callable[[str], None]
ADMIN = Actor(id="demo-admin", name="系统管理员", role="admin")
GUIZHOU_OFFICE = Actor(id="demo-gz-office", name="陈晓", role="inspection_office")
LONGCHUAN_OFFICE = Actor(id="demo-lc-office", name="杨光荣", role="inspection_office")
GUIZHOU_AS_OF = date(2018, 6, 30)


class DemoLoader:
    """Issues the demo's commands through the application, like any user would."""

    def __init__(self, app: Ledger, step: Step | None = None) -> None:
        self.app = app
        self.step = step or (lambda _label: None)
        self.units: dict[str, UUID] = {}

    def ctx(self, key: str, day: date, basis: str = "", reason: str = "") -> CommandContext:
        return CommandContext(
            effective_at=day, basis=basis, reason=reason, idempotency_key=f"demo:{key}"
        )

    def unit(self, name: str, level: str, parent: str | None = None) -> UUID:
        """Register a unit once (headcount invented: 15–120 staff in 2018)."""
        if name not in self.units:
            parent_id = self.units[parent] if parent else None
            day = date(2018, 1, 2)
            uid = self.app.register_unit(
                ADMIN,
                name=name,
                level=level,
                parent_id=parent_id,
                ctx=self.ctx(f"unit:{name}", day),
            ).id
            staff = 15 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 106
            self.app.record_headcount(
                ADMIN, uid, year=2018, headcount=staff, ctx=self.ctx(f"headcount:{name}", day)
            )
            self.units[name] = uid
        return self.units[name]

    def unit_actor(self, name: str) -> Actor:
        uid = self.units[name]
        return Actor(
            id=f"demo-unit-{uid.hex[:8]}", name=f"{name}联络员", role="responsible_unit", unit=uid
        )

    def open(self, prefix: str, office: Actor, spec: dict[str, Any], basis: str) -> UUID:
        """Open an inspection and take it to the rectifying stage."""
        inspection = self.app.open_inspection(
            office,
            kind=spec["kind"],
            title=spec["title"],
            inspecting_body=spec["inspecting_body"],
            inspected_body=spec["inspected_body"],
            on_site_start=spec["on_site_start"],
            on_site_end=spec["on_site_end"],
            ctx=self.ctx(f"{prefix}:open", spec["on_site_start"]),
        ).id
        self.app.begin_on_site(
            office,
            inspection,
            started_on=spec["on_site_start"],
            ctx=self.ctx(f"{prefix}:on-site", spec["on_site_start"]),
        )
        doc = spec.get("feedback_document") or ""
        self.app.deliver_feedback(
            office,
            inspection,
            feedback_date=spec["feedback_date"],
            document_no=doc,
            ctx=self.ctx(f"{prefix}:feedback", spec["feedback_date"], doc),
        )
        self.app.file_plan(
            office,
            inspection,
            filed_on=spec["plan_document_date"],
            ctx=self.ctx(f"{prefix}:plan", spec["plan_document_date"], basis),
        )
        return inspection


def load_demo(app: Ledger, step: Step | None = None) -> dict[str, UUID]:
    """Load the whole demo; returns the inspection ids by short name."""
    return load_demo_units(app, step)[0]


def load_demo_units(
    app: Ledger, step: Step | None = None
) -> tuple[dict[str, UUID], dict[str, UUID]]:
    """Load the whole demo; returns the inspection ids and the unit ids by name."""
    loader = DemoLoader(app, step)
    with app.batch():
        _units(loader)
    with app.batch():
        guizhou = _guizhou(loader, "gz", data.GUIZHOU)
    with app.batch():
        self_check = _guizhou(loader, "gz-self", data.GUIZHOU["self_inspection"])
    with app.batch():
        longchuan = _longchuan(loader)
    load_yongding(app, loader.ctx, loader.units, loader.step)
    inspections = {"guizhou": guizhou, "guizhou_self": self_check, "longchuan": longchuan}
    return inspections, loader.units


def demo_size() -> int:
    """How many progress steps ``load_demo`` reports (for a progress bar)."""
    return (
        len(data.GUIZHOU["problems"])
        + len(data.GUIZHOU["self_inspection"]["problems"])
        + len(data.LONGCHUAN["problems"])
        + 1
        + YONGDING_STEPS
    )


def _units(loader: DemoLoader) -> None:
    loader.unit("贵州省", "province")
    for name in data.GUIZHOU["units"]:
        level = (
            "prefecture"
            if name.startswith("各市")
            else "county"
            if name.startswith("各县")
            else "province"
        )
        loader.unit(name, level, "贵州省")
    loader.unit("云南省", "province")
    loader.unit("德宏州", "prefecture", "云南省")
    loader.unit("陇川县", "county", "德宏州")
    for name in data.LONGCHUAN["units"]:
        loader.unit(name, "township" if name.startswith("各乡镇") else "county", "陇川县")
    loader.step("单位")


def _guizhou(loader: DemoLoader, prefix: str, block: dict[str, Any]) -> UUID:
    app, office = loader.app, GUIZHOU_OFFICE
    spec = block["inspection"]
    basis = "贵州省2017年扶贫成效考核相关问题整改指导意见"
    inspection = loader.open(prefix, office, spec, basis)
    plan_day = spec["plan_document_date"]
    ongoing_seen = 0
    for n, p in enumerate(block["problems"], 1):
        key = f"{prefix}:{n}"
        finding = app.record_finding(
            office,
            inspection,
            category=[p["category"], p["item"]],
            number=p["number"],
            text=p["text"],
            sources=[spec["title"]],
            deadline=p["deadline"],
            long_term=p["long_term"],
            ctx=loader.ctx(f"{key}:record", spec["feedback_date"]),
        ).id
        app.assign(
            office,
            finding,
            responsible_leader=f"{p['lead_department']}主要负责同志",
            lead_department=loader.units[p["lead_department"]],
            units=[loader.units[u] for u in p["responsible_units"]],
            ctx=loader.ctx(f"{key}:assign", plan_day, basis),
        )
        unit = loader.unit_actor(p["lead_department"])
        if p["completed"]:
            _complete(loader, key, finding, unit, p, plan_day)
        else:
            ongoing_seen += 1
            _keep_going(loader, key, finding, unit, p, ongoing_seen)
        loader.step(p["number"])
    app.publish_progress(
        office,
        inspection,
        published_on=date(2018, 7, 6),
        ctx=loader.ctx(f"{prefix}:published", date(2018, 7, 6)),
    )
    return inspection


def _complete(
    loader: DemoLoader, key: str, finding: UUID, unit: Actor, p: dict[str, Any], plan_day: date
) -> None:
    """Report, claim, verify — and strike off unless it must be kept up long-term."""
    app, office = loader.app, GUIZHOU_OFFICE
    claim_day = max(plan_day + timedelta(days=1), p["deadline"] - timedelta(days=3))
    report_day = max(plan_day, claim_day - timedelta(days=5))
    verify_day = min(claim_day + timedelta(days=5), GUIZHOU_AS_OF)
    app.report_progress(
        unit,
        finding,
        narrative=f"已完成整改:{p['item']}问题已逐项整改到位。",
        evidence=[{"title": f"{p['lead_department']}关于{p['item']}问题整改情况的报告"}],
        ctx=loader.ctx(f"{key}:report", report_day),
    )
    app.claim_completion(
        unit,
        finding,
        summary="整改任务已完成,申请验收销号。",
        ctx=loader.ctx(f"{key}:claim", claim_day),
    )
    app.verify(
        office, finding, opinion="经核查,整改到位。", ctx=loader.ctx(f"{key}:verify", verify_day)
    )
    if not p["long_term"]:
        app.strike_off(office, finding, ctx=loader.ctx(f"{key}:strike", verify_day))


def _keep_going(
    loader: DemoLoader, key: str, finding: UUID, unit: Actor, p: dict[str, Any], nth: int
) -> None:
    """Ongoing: a report, then a send-back, a pending claim, a letter or an extension."""
    app, office = loader.app, GUIZHOU_OFFICE
    day = date(2018, 6, 20)
    app.report_progress(
        unit,
        finding,
        narrative=f"正在整改:{p['item']}问题已制定整改措施,正在推进。",
        ctx=loader.ctx(f"{key}:report", day),
    )
    overdue = not p["long_term"] and p["deadline"] < GUIZHOU_AS_OF
    if overdue:
        letter_day = p["deadline"] + timedelta(days=1)
        app.issue_letter(
            office,
            finding,
            letter_no=f"黔扶督〔2018〕{nth}号",
            level="deputy",
            addressed_to=unit.unit,
            due_date=letter_day + timedelta(days=15),
            ctx=loader.ctx(f"{key}:letter", letter_day, reason="逾期未完成整改"),
        )
    elif nth % 5 == 1:
        app.claim_completion(
            unit,
            finding,
            summary="已完成整改,申请验收。",
            ctx=loader.ctx(f"{key}:claim", date(2018, 6, 10)),
        )
        app.send_back(
            office,
            finding,
            ctx=loader.ctx(
                f"{key}:back", date(2018, 6, 15), reason="佐证材料不足,整改不彻底,退回补课。"
            ),
        )
    elif nth % 5 == 2:
        app.claim_completion(
            unit,
            finding,
            summary="已完成整改,申请验收。",
            ctx=loader.ctx(f"{key}:claim", date(2018, 6, 28)),
        )
    elif nth % 5 == 3 and p["deadline"] > GUIZHOU_AS_OF:
        app.extend_deadline(
            office,
            finding,
            new_deadline=p["deadline"] + timedelta(days=60),
            approver="省扶贫办主任",
            ctx=loader.ctx(
                f"{key}:extend", date(2018, 6, 25), reason="涉及跨年度项目资金拨付,需延期完成。"
            ),
        )


def _longchuan(loader: DemoLoader) -> UUID:
    app, office, spec = loader.app, LONGCHUAN_OFFICE, data.LONGCHUAN["inspection"]
    plan = data.LONGCHUAN["plan"]
    inspection = loader.open("lc", office, spec, plan["title"])
    measures = data.LONGCHUAN["measures"]
    for n, p in enumerate(data.LONGCHUAN["problems"], 1):
        groups = [m for m in measures if p["number"] in m["addresses"]]
        dates = [m["deadline"] for m in groups if m["deadline"] is not None]
        key = f"lc:{n}"
        finding = app.record_finding(
            office,
            inspection,
            category=[p["category"]],
            number=p["number"],
            text=p["text"],
            sources=[spec["feedback_document"], "陇川县问题清单"],
            deadline=max(dates) if dates else None,
            long_term=all(m["long_term"] for m in groups),
            ctx=loader.ctx(f"{key}:record", spec["feedback_date"], spec["feedback_document"]),
        ).id
        units = list(
            dict.fromkeys(u for m in groups for u in m["lead_departments"] + m["responsible_units"])
        )
        app.assign(
            office,
            finding,
            responsible_leader="县政府分管副县长",
            lead_department=loader.units[groups[0]["lead_departments"][0]],
            units=[loader.units[u] for u in units],
            ctx=loader.ctx(f"{key}:assign", plan["date"], plan["title"]),
        )
        for m in groups:
            measure = app.add_measure(
                office,
                finding,
                kind=m["kind"],
                text=f"{m['no']}{m['title']}。{m['text']}",
                owner_unit=loader.units[m["lead_departments"][0]],
                deadline=m["deadline"],
                long_term=m["long_term"],
                ctx=loader.ctx(f"{key}:measure:{m['no']}", plan["date"], plan["title"]),
            ).item_id
            if p["number"] == "三、(二)2." and m["no"] == "(七)":
                _labour_progress(loader, key, finding, measure, m["lead_departments"][-1])
        loader.step(p["number"])
    return inspection


def _labour_progress(loader: DemoLoader, key: str, finding: UUID, measure: Any, unit: str) -> None:
    """An invented mid-year report against the plan's targets (3800 trained, 900 placed)."""
    loader.app.report_progress(
        loader.unit_actor(unit),
        finding,
        measure_id=measure,
        narrative="上半年组织贫困劳动力技能培训和转移就业,进度过半。",
        figures=[
            {"name": "贫困劳动力培训", "value": 1650, "unit": "人", "of_total": 3800},
            {"name": "贫困劳动力转移就业", "value": 420, "unit": "人", "of_total": 900},
        ],
        evidence=[
            {"title": "陇川县2018年上半年就业扶贫工作进展情况", "location": "县人社局档案室"}
        ],
        ctx=loader.ctx(f"{key}:labour-report", date(2018, 7, 5)),
    )
