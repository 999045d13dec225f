"""Generate a realistic ledger of N events (default 1,000,000) into a database.

Run by hand; it prints progress and figures and asserts nothing::

    .venv/bin/python bench/generate.py sqlite:////tmp/ledger-1m.db
    .venv/bin/python bench/generate.py \\
        'postgresql://postgres@127.0.0.1:5432/test?schema=bench_1m' --events 1000000
    .venv/bin/python bench/generate.py sqlite:////tmp/small.db --events 50000 --check

What it makes (for 1M events): ~1,260 units of one province (9 prefectures, 88
counties with their departments, real Guizhou names) and their yearly headcounts;
~200 inspections (巡察, 巡视, 回头看, 成效考核, 审计, 督查 …) opened between
January 2018 and June 2020, each taken through on-site, feedback, plan and
published progress; ~500 findings each (category 大类 > 项, numbered as in the
documents, a deadline or long-term), assigned to one to three county
departments, with one to four measures, progress reports (the most numerous
event) with figures and evidence, deadline extensions (some after the deadline
had passed), long-term flags, supervision letters escalating staff → deputy →
principal and their answers, claims, verifications, send-backs and strike-offs.
Effective dates run from 2018 to the end of 2020; most events are recorded the
same day, some days later, and ~8% are back-filled from paper 4–40 days later.

Every finding's history is walked through the domain's rules as it is planned
(claim only after a report, verify only a claim, no report after verification,
letters only while open …), versions are consecutive per aggregate, and the log
is in recording order. ``--check`` replays every planned event through the
domain's own public methods and role policy before anything is saved.

Speed: events are built directly (no commands) and saved ``--batch`` at a time
with ``ledger.save(*events)`` while the read models are detached
(``recorder.projector = None``); then the read models are rebuilt with
``projector.rebuild()`` (all in one pass; ``--per-model``: one
``rebuild(name)`` after another), which gives the rebuild figure too.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain import policy
from ledger.domain.base import Envelope
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.unit import Unit
from ledger.domain.values import BEIJING, Actor, Evidence, Figure

# --- vocabulary ------------------------------------------------------------------------
# fmt: off

PROVINCE = "贵州省"
PREFECTURES: dict[str, list[str]] = {
    "贵阳市": ["南明区", "云岩区", "花溪区", "乌当区", "白云区", "观山湖区", "开阳县", "息烽县",
            "修文县", "清镇市"],
    "遵义市": ["红花岗区", "汇川区", "播州区", "桐梓县", "绥阳县", "正安县", "道真县", "务川县",
            "凤冈县", "湄潭县", "余庆县", "习水县", "赤水市", "仁怀市"],
    "六盘水市": ["钟山区", "六枝特区", "水城县", "盘州市"],
    "安顺市": ["西秀区", "平坝区", "普定县", "镇宁县", "关岭县", "紫云县"],
    "毕节市": ["七星关区", "大方县", "黔西县", "金沙县", "织金县", "纳雍县", "威宁县", "赫章县"],
    "铜仁市": ["碧江区", "万山区", "江口县", "玉屏县", "石阡县", "思南县", "印江县", "德江县",
            "沿河县", "松桃县"],
    "黔东南州": ["凯里市", "黄平县", "施秉县", "三穗县", "镇远县", "岑巩县", "天柱县", "锦屏县",
             "剑河县", "台江县", "黎平县", "榕江县", "从江县", "雷山县", "麻江县", "丹寨县"],
    "黔南州": ["都匀市", "福泉市", "荔波县", "贵定县", "瓮安县", "独山县", "平塘县", "罗甸县",
            "长顺县", "龙里县", "惠水县", "三都县"],
    "黔西南州": ["兴义市", "兴仁市", "普安县", "晴隆县", "贞丰县", "望谟县", "册亨县", "安龙县"],
}
DEPARTMENTS = [
    "扶贫开发办公室", "教育局", "卫生健康局", "住房和城乡建设局", "水务局", "交通运输局",
    "财政局", "农业农村局", "人力资源和社会保障局", "民政局", "自然资源局", "医疗保障局",
    "生态移民局", "发展和改革局",
]
TOWNSHIPS = [
    "城关镇", "新场镇", "龙场镇", "茶园乡", "平寨镇", "石门乡", "大坝镇", "沙坪镇", "牛场乡",
    "羊场镇", "高坡乡", "花桥镇", "红岩村", "团结村", "坪上村", "小河村", "新寨村", "岩脚村",
]
# 大类 → [(项, [specific problems])]
CATEGORIES: dict[str, list[tuple[str, list[str]]]] = {
    "落实脱贫攻坚政治责任不到位": [
        ("主体责任落实不力", ["党委(党组)研究脱贫攻坚工作不深入,推动落实办法不多",
                      "对脱贫攻坚重点任务跟踪问效不够,压力传导层层递减"]),
        ("行业部门责任落实不到位", ["行业扶贫政策与贫困村需求衔接不紧",
                          "部门之间数据比对共享不及时,政策落实存在盲区"]),
        ("帮扶责任落实不到位", ["部分帮扶干部入户走访流于形式,帮扶手册填写不规范",
                        "结对帮扶措施针对性不强,帮扶成效不明显"]),
    ],
    "贯彻落实精准方略有偏差": [
        ("精准识别不精准", ["建档立卡贫困户信息采集不准确,存在漏评错评现象",
                    "动态调整不及时,应纳未纳、应退未退问题仍有发生"]),
        ("精准退出不严格", ["部分已脱贫户收入测算不实,存在“算账脱贫”现象",
                    "退出程序不规范,群众认可度核查走过场"]),
        ("产业扶贫带贫益贫机制不健全", ["产业项目与贫困户利益联结不紧密,分红不到位",
                            "合作社“空壳”运行,带动贫困户增收作用有限"]),
        ("易地扶贫搬迁后续扶持不到位", ["安置点配套设施建设滞后,就业帮扶跟进不够",
                            "搬迁群众旧房拆除复垦进度缓慢"]),
    ],
    "脱贫攻坚政策落实不到位": [
        ("义务教育保障有短板", ["控辍保学工作不扎实,仍有适龄儿童辍学",
                        "教育资助政策落实不到位,部分学生资助资金未及时发放"]),
        ("基本医疗保障落实不到位", ["先诊疗后付费政策落实不到位,报销比例未达要求",
                          "家庭医生签约服务履约不实"]),
        ("住房安全保障存在漏洞", ["危房改造质量把关不严,部分改造户仍居住在危房中",
                         "危房鉴定不规范,存在应改未改情况"]),
        ("饮水安全保障不稳定", ["部分村组饮水工程管护不到位,季节性缺水问题突出",
                        "集中供水工程水质检测不及时"]),
        ("就业扶贫措施落实不够", ["贫困劳动力培训与就业需求脱节,培训后就业率低",
                         "公益性岗位管理不规范,存在“只拿钱不干活”现象"]),
    ],
    "扶贫资金项目管理不规范": [
        ("资金闲置滞留", ["扶贫资金拨付进度缓慢,部分资金闲置一年以上",
                   "统筹整合资金使用不精准,结余资金未及时收回"]),
        ("项目建设管理不规范", ["扶贫项目未批先建、边设计边施工问题突出",
                        "部分项目验收不严,建成后长期闲置"]),
        ("资产收益分配不规范", ["扶贫资产底数不清、权属不明,收益分配不透明",
                        "村集体经济收益未按规定用于贫困户"]),
        ("违规使用扶贫资金", ["扩大扶贫资金使用范围,用于非扶贫项目",
                       "虚报冒领、套取扶贫资金问题时有发生"]),
    ],
    "扶贫领域作风问题突出": [
        ("形式主义官僚主义", ["填表报数、迎检考核过多过频,基层负担较重",
                       "会议文件多、督查检查多,工作留痕过度"]),
        ("数字脱贫虚假脱贫", ["部分数据统计口径不一,存在数字脱贫问题",
                       "台账资料与实际不符,存在弄虚作假现象"]),
        ("工作作风不实", ["部分干部深入基层不够,对群众反映问题回应不及时",
                    "驻村干部“走读”现象仍然存在"]),
        ("基层干部优亲厚友", ["低保评定中存在优亲厚友、人情保关系保",
                       "村干部在项目实施中违规插手、吃拿卡要"]),
    ],
    "基层党组织建设薄弱": [
        ("村级党组织软弱涣散", ["部分村党组织书记带富能力不强,战斗堡垒作用发挥不够",
                        "“三会一课”制度落实不经常"]),
        ("驻村工作队管理不严", ["驻村工作队考勤管理松散,在岗履职不到位",
                        "第一书记作用发挥不明显"]),
    ],
}
CATEGORY_LIST = [
    (major, item, texts) for major, items in CATEGORIES.items() for item, texts in items
]
MEASURE_TEXTS = {
    "immediate": ["立即组织对{t}进行全面排查,逐户逐项建立问题清单和整改台账",
                  "对{t}发现的问题立行立改,限期整改到位并报送佐证材料"],
    "elsewhere": ["举一反三,在全县范围内开展{t}同类问题专项排查",
                  "以点带面,对各乡镇{t}情况开展拉网式自查自纠"],
    "rules": ["制定出台《{t}管理办法》,建立健全长效机制",
              "完善{t}工作责任制和考核办法,纳入年度目标考核"],
}
SUBJECTS = [
    "建档立卡户信息", "控辍保学", "危房改造", "饮水安全", "扶贫资金使用", "产业扶贫项目",
    "易地扶贫搬迁安置点", "医疗保障报销", "公益性岗位", "扶贫资产", "驻村帮扶", "低保评定",
]
OPENINGS = [
    "已召开专题会议研究部署整改工作,明确责任领导、责任单位和完成时限。",
    "组织工作组深入{a}个乡镇开展专项排查,逐村逐户核实问题底数。",
    "按照整改方案要求,细化整改措施{a}条,建立问题、任务、责任“三张清单”。",
    "会同相关部门开展联合督查,对整改进度实行周调度、月通报。",
    "对照反馈问题逐项对账销号,整改工作有序推进。",
]
MIDDLES = [
    "共核查建档立卡贫困户{a}户{b}人,更新完善信息{c}条。",
    "劝返复学适龄儿童{a}人,全部建立一生一案台账。",
    "完成危房改造{a}户,经第三方鉴定全部达到安全标准。",
    "新建和改造集中供水点{a}处,解决{b}人饮水不稳定问题。",
    "追回违规使用扶贫资金{a}.{c}万元,已全部退还群众或上缴国库。",
    "开展贫困劳动力技能培训{a}期{b}人次,实现转移就业{c}人。",
    "清理规范公益性岗位{a}个,对{b}名不履职人员予以清退。",
    "对{a}个产业项目重新签订利益联结协议,带动贫困户{b}户。",
    "盘活闲置扶贫资产{a}处,明确权属并建立资产台账。",
    "约谈相关责任人{a}人,对{b}名干部进行诫勉谈话。",
]
CLOSINGS = [
    "下一步将持续跟踪问效,巩固整改成果。",
    "相关佐证材料已整理归档备查。",
    "整改工作正在有序推进,确保按期完成。",
    "将把整改情况纳入年度考核,防止问题反弹。",
    "",
]
FIGURE_NAMES = [
    ("核查户数", "户"), ("劝返复学", "人"), ("危房改造", "户"), ("培训人次", "人次"),
    ("追回资金", "万元"), ("解决饮水人口", "人"), ("就业人数", "人"),
]
EXTENSION_REASONS = [
    "项目建设受雨季影响,工期需顺延", "涉及跨部门协调,需延长整改时限",
    "上级资金尚未下达,需待资金到位后实施", "整改涉及群众搬迁,需做好群众工作",
]
SEND_BACK_REASONS = [
    "佐证材料不充分,整改成效不明显", "验收抽查发现问题仍然存在",
    "整改措施未全部落实到位", "群众满意度回访不达标",
]
APPROVERS = ["县委书记", "县长", "常务副县长", "分管副县长", "县委副书记"]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "晓东",
]
NUMERALS = "一二三四五六七八九十"
LETTER_PREFIX = {"staff": "整改督办函", "deputy": "分管领导督办函", "principal": "主要领导督办函"}
CN_NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]

# fmt: on


# --- time -------------------------------------------------------------------------------

DAY = 86_400
_EPOCH_ORD = date(1970, 1, 1).toordinal()
START = date(2018, 1, 2).toordinal()
END = date(2020, 12, 31).toordinal()  # last effective day
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def at(day: int, seconds: int) -> int:
    """Epoch seconds of a Beijing day ordinal plus seconds after midnight."""
    return (day - _EPOCH_ORD) * DAY - 8 * 3600 + seconds


# --- the plan: compact rows, built into events a batch at a time ---------------------------

# Event kinds: indexes into CLASSES.
U_REG, U_HEAD, I_OPEN, I_SITE, I_FEED, I_PLAN, I_PUB = range(7)
F_REC, F_ASSIGN, F_DL, F_EXT, F_LT, F_MEASURE, F_REPORT = range(7, 14)
F_CLAIM, F_VERIFY, F_BACK, F_STRIKE, F_LETTER, F_ANSWER = range(14, 20)
CLASSES: list[type[Any]] = [
    Unit.Registered,
    Unit.HeadcountRecorded,
    Inspection.Opened,
    Inspection.OnSiteBegun,
    Inspection.FeedbackDelivered,
    Inspection.PlanFiled,
    Inspection.ProgressPublished,
    Finding.Recorded,
    Finding.Assigned,
    Finding.DeadlineSet,
    Finding.DeadlineExtended,
    Finding.LongTermMarked,
    Finding.MeasureAdded,
    Finding.ProgressReported,
    Finding.CompletionClaimed,
    Finding.CompletionVerified,
    Finding.SentBack,
    Finding.StruckOff,
    Finding.LetterIssued,
    Finding.LetterAnswered,
]
# A row: (recorded_us, seq, kind, aggregate, version, effective_s, actor, args)
Row = tuple[int, int, int, int, int, int, int, tuple[Any, ...]]


@dataclass
class Place:
    """An inspected county: its name and its departments (unit indexes)."""

    prefecture: str
    county: str
    unit: int
    departments: list[int]


@dataclass
class Plan:
    """Every planned event as a compact row, plus what the rows refer to."""

    ids: list[UUID] = field(default_factory=list)  # aggregate (or part) index -> UUID
    actors: list[Actor] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    inspections: int = 0
    findings: int = 0
    units: int = 0


class Planner:
    """Plans units, inspections and findings in time; every history obeys the domain."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.plan = Plan()
        self.versions: Counter[int] = Counter()  # aggregate index -> last version
        self.last_us: Counter[int] = Counter()  # aggregate index -> last recording time
        self.seq = 0
        self.admin = self.actor(Actor(id="admin-1", name="系统管理员", role="admin"))
        self.unit_actor: dict[int, int] = {}
        self.places: list[Place] = []

    # helpers
    def new_id(self) -> int:
        self.plan.ids.append(UUID(int=self.rng.getrandbits(128), version=4))
        return len(self.plan.ids) - 1

    def actor(self, actor: Actor) -> int:
        self.plan.actors.append(actor)
        return len(self.plan.actors) - 1

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def lag_us(self) -> int:
        """Recording lag: same day mostly, some days later, ~8% back-filled from paper."""
        roll = self.rng.random()
        if roll < 0.78:
            return self.rng.randint(60, 3 * 3600) * 1_000_000
        if roll < 0.92:
            return self.rng.randint(1 * DAY, 3 * DAY) * 1_000_000
        return self.rng.randint(4 * DAY, 40 * DAY) * 1_000_000

    def emit(
        self, agg: int, kind: int, day: int, actor: int, args: tuple[Any, ...], floor_us: int = 0
    ) -> int:
        """Plan one event; returns its recorded time (µs)."""
        effective = at(day, self.rng.randint(9 * 3600, 18 * 3600))
        recorded = max(effective * 1_000_000 + self.lag_us(), self.last_us[agg] + 1_000, floor_us)
        self.last_us[agg] = recorded
        self.versions[agg] += 1
        self.seq += 1
        self.plan.rows.append(
            (recorded, self.seq, kind, agg, self.versions[agg], effective, actor, args)
        )
        return recorded

    # units
    def units(self) -> None:
        """The province, its prefectures and counties, and their departments."""
        day = START
        province = self.unit(PROVINCE, "province", None, day)
        for prefecture, counties in PREFECTURES.items():
            pref = self.unit(prefecture, "prefecture", province, day)
            for dept in DEPARTMENTS[:6]:
                self.unit(prefecture + dept, "prefecture", pref, day)
            for county in counties:
                cty = self.unit(county, "county", pref, day)
                depts = [self.unit(county + d, "county", cty, day) for d in DEPARTMENTS]
                self.places.append(Place(prefecture, county, cty, depts))

    def unit(self, name: str, level: str, parent: int | None, day: int) -> int:
        u = self.new_id()
        self.plan.units += 1
        self.emit(u, U_REG, day, self.admin, (name, parent, level))
        staff = self.rng.randint(15, 120)
        for year in (2018, 2019, 2020):
            y_day = date(year, 1, 1).toordinal() + self.rng.randint(5, 40)
            self.emit(u, U_HEAD, y_day, self.admin, (year, staff + self.rng.randint(-5, 8)))
        actor = Actor(
            id=f"unit-{self.plan.ids[u].hex[:8]}",
            name=f"{self.person()}({name}联络员)",
            role="responsible_unit",
            unit=self.plan.ids[u],
        )
        self.unit_actor[u] = self.actor(actor)
        return u

    # inspections
    def inspection(self, number: int) -> None:
        """Plan one inspection: its stages, then its findings."""
        r = self.rng
        place = r.choice(self.places)
        kind, title, body = self.describe(place, number)
        opened = r.randint(date(2018, 1, 8).toordinal(), date(2020, 6, 30).toordinal())
        office = self.actor(
            Actor(id=f"office-{number}", name=self.person(), role="inspection_office")
        )
        ins = self.new_id()
        self.plan.inspections += 1
        site_start, site_end = opened + r.randint(3, 10), opened + r.randint(20, 45)
        feedback = site_end + r.randint(15, 45)
        year = date.fromordinal(feedback).year
        self.emit(
            ins,
            I_OPEN,
            opened,
            office,
            (kind, title, body, f"{place.county}党委和政府", site_start, site_end),
        )
        self.emit(ins, I_SITE, site_start, office, (site_start,))
        doc = f"黔巡反馈〔{year}〕{number % 97 + 1}号"
        fed_us = self.emit(ins, I_FEED, feedback, office, (feedback, doc))
        filed = feedback + r.randint(20, 40)
        self.emit(
            ins,
            I_PLAN,
            filed,
            office,
            (filed, f"{place.county[:2]}委办发〔{year}〕{r.randint(10, 99)}号"),
        )
        for months in (6, 12):
            published = feedback + months * 30 + r.randint(0, 20)
            if published <= END:
                self.emit(
                    ins,
                    I_PUB,
                    published,
                    office,
                    (published, f"{place.county[:2]}整改公告〔{year}〕{months // 6}号"),
                )
        ctx = (ins, place, office, feedback, fed_us, filed)
        count = r.randint(300, 650)
        for n in range(count):
            self.finding(ctx, n)

    def describe(self, place: Place, number: int) -> tuple[str, str, str]:
        r = self.rng
        group = CN_NUMBERS[number % 12]
        year = r.choice((2017, 2018, 2019))
        kind = r.choices(
            [
                "tour",
                "provincial_inspection",
                "lookback",
                "assessment",
                "audit",
                "supervision",
                "central_inspection",
            ],
            weights=[35, 20, 8, 15, 10, 8, 4],
        )[0]
        titles = {
            "tour": (
                f"{place.prefecture}委第{group}巡察组对{place.county}脱贫攻坚专项巡察",
                f"中共{place.prefecture}委第{group}巡察组",
            ),
            "provincial_inspection": (
                f"省委第{group}巡视组对{place.county}脱贫攻坚专项巡视",
                f"中共贵州省委第{group}巡视组",
            ),
            "lookback": (
                f"省委第{group}巡视组对{place.county}脱贫攻坚专项巡视“回头看”",
                f"中共贵州省委第{group}巡视组",
            ),
            "assessment": (
                f"{year}年度{place.county}党委和政府扶贫开发工作成效考核",
                "贵州省扶贫开发领导小组",
            ),
            "audit": (f"{year}年度{place.county}扶贫资金专项审计", "贵州省审计厅"),
            "supervision": (f"省脱贫攻坚督查组对{place.county}督查暗访", "贵州省脱贫攻坚督查组"),
            "central_inspection": (
                f"中央第{group}巡视组脱贫攻坚专项巡视反馈问题({place.county})",
                f"中央第{group}巡视组",
            ),
        }
        title, body = titles[kind]
        return kind, title, body

    # findings
    def finding(self, ctx: tuple[Any, ...], n: int) -> None:
        ins, place, office, feedback, fed_us, filed = ctx
        r = self.rng
        f = self.new_id()
        self.plan.findings += 1
        units = r.sample(place.departments, k=r.choice((1, 1, 2, 2, 3)))
        state = FindingState(units=units, office=office)
        day = feedback + r.randint(0, 6)
        category = r.randrange(len(CATEGORY_LIST))
        roll = r.random()
        long_term = roll < 0.12
        deadline = (
            None if roll < 0.15 else feedback + r.choice((30, 60, 90, 120, 180, 180, 270, 365))
        )
        state.deadline, state.long_term = deadline, long_term
        number = f"{NUMERALS[category % 10]}、({CN_NUMBERS[n % 12]}){n + 1}."
        self.emit(
            f,
            F_REC,
            day,
            office,
            (
                self.plan.ids[ins],
                feedback,
                category,
                number,
                r.getrandbits(30),
                (place.county, place.prefecture),
                deadline,
                long_term,
            ),
            floor_us=fed_us + 1,
        )
        day += r.randint(0, 5)
        self.emit(f, F_ASSIGN, day, office, (self.person(), units[0], tuple(units)))
        if deadline is None and not long_term:
            day += r.randint(3, 20)
            state.deadline = day + r.choice((60, 90, 120, 180))
            self.emit(f, F_DL, day, office, (state.deadline,))
        day = self.measures(f, state, max(day, filed - r.randint(0, 10)), feedback)
        self.walk(f, state, self.timeline(state, day))

    def measures(self, f: int, s: FindingState, day: int, feedback: int) -> int:
        r = self.rng
        for _ in range(r.choice((1, 1, 1, 2, 2, 2, 3, 3))):
            day += r.randint(0, 4)
            owner = r.choice(s.units)
            long_term = s.long_term and r.random() < 0.6
            deadline = (
                None
                if long_term
                else (
                    s.deadline
                    if s.deadline and r.random() < 0.6
                    else max(day, feedback) + r.randint(20, 200)
                )
            )
            kind = r.choices(("immediate", "elsewhere", "rules"), weights=(5, 3, 2))[0]
            m = self.new_id()
            s.measures.append((m, owner))
            actor = self.unit_actor[owner] if r.random() < 0.5 else s.office
            self.emit(
                f, F_MEASURE, day, actor, (m, kind, r.getrandbits(30), owner, deadline, long_term)
            )
        return day

    def timeline(self, s: FindingState, day: int) -> list[tuple[int, int, Any]]:
        """(day, kind, argument) items in any order; ``walk`` sorts and checks them."""
        r = self.rng
        base = s.deadline if s.deadline is not None else day + r.randint(200, 700)
        roll = r.random()
        if roll < 0.60:
            finish = day + int(max(base - day, 10) * r.uniform(0.4, 1.0))
        elif roll < 0.87:
            finish = base + r.randint(5, 150)
        else:
            finish = base + r.randint(200, 900)
        finish = max(finish, day + 10)
        items: list[tuple[int, int, Any]] = []
        reports = r.choices((1, 2, 3, 4, 5, 6, 8, 10), weights=(14, 20, 20, 16, 11, 8, 6, 5))[0]
        for _ in range(reports):
            items.append((r.randint(day + 3, finish - 1), F_REPORT, None))
        if s.deadline is not None and finish > s.deadline:
            if r.random() < 0.35:  # some extensions come after the deadline has passed
                ext_day = s.deadline + r.randint(-25, 20)
                items.append((ext_day, F_EXT, finish + r.randint(0, 30)))
            elif finish > s.deadline + 20 and r.random() < 0.6:
                self.letters(items, s.deadline + r.randint(7, 20), finish)
        if r.random() < 0.05:
            items.append((r.randint(day, finish), F_LT, not s.long_term))
        self.closure(items, finish)
        return items

    def letters(self, items: list[tuple[int, int, Any]], day: int, finish: int) -> None:
        for level in ("staff", "deputy", "principal"):
            if day >= finish:
                return
            items.append((day, F_LETTER, level))
            if self.rng.random() < 0.8:
                items.append((day + self.rng.randint(3, 12), F_ANSWER, level))
            day += self.rng.randint(30, 60)

    def closure(self, items: list[tuple[int, int, Any]], day: int) -> None:
        """Claim, then verify (or send back and rework), then perhaps strike off."""
        r = self.rng
        for _attempt in range(3):
            items.append((day, F_CLAIM, None))
            day += r.randint(5, 30)
            if r.random() < 0.88:
                items.append((day, F_VERIFY, None))
                if r.random() < 0.03:  # a verified fix found wanting
                    day += r.randint(20, 90)
                    items.append((day, F_BACK, None))
                else:
                    if r.random() < 0.6:
                        items.append((day + r.randint(10, 90), F_STRIKE, None))
                    return
            else:
                items.append((day, F_BACK, None))
            for _ in range(r.randint(1, 3)):
                day += r.randint(7, 30)
                items.append((day, F_REPORT, None))
            day += r.randint(3, 15)

    def walk(self, f: int, s: FindingState, items: list[tuple[int, int, Any]]) -> None:
        """Emit the items in day order, keeping only what the domain allows then."""
        r = self.rng
        last = 0
        for day, kind, arg in sorted(items, key=lambda item: item[0]):
            if day > END:
                return
            actor = s.office
            if kind in (F_REPORT, F_CLAIM, F_ANSWER):
                unit = r.choice(s.units)
                actor = self.unit_actor[unit]
            args = s.allow(kind, arg, day, r)
            if args is None:
                continue
            if kind == F_REPORT:
                args = (self.report_measure(s, unit), r.getrandbits(30))
            last = max(last, day)
            self.emit(f, kind, last, actor, args)

    def report_measure(self, s: FindingState, unit: int) -> int | None:
        own = [m for m, owner in s.measures if owner == unit]
        if own and self.rng.random() < 0.8:
            return self.rng.choice(own)
        return None


@dataclass
class FindingState:
    """What the domain's rules look at, while a finding's history is planned."""

    units: list[int]
    office: int
    deadline: int | None = None
    long_term: bool = False
    status: str = "ongoing"
    reports: int = 0
    measures: list[tuple[int, int]] = field(default_factory=list)
    letters: dict[str, tuple[str, bool]] = field(default_factory=dict)  # level -> number, answered

    def allow(self, kind: int, arg: Any, day: int, r: random.Random) -> tuple[Any, ...] | None:
        """The event's arguments if the domain allows it now, else None (and the state moves)."""
        is_open = self.status in ("ongoing", "claimed")
        if kind == F_REPORT:
            if not is_open:
                return None
            self.reports += 1
            return ()
        if kind == F_EXT:
            if self.status != "ongoing" or self.deadline is None or arg <= self.deadline:
                return None
            previous, self.deadline = self.deadline, arg
            return (
                previous,
                arg,
                r.choice(APPROVERS) + r.choice(SURNAMES) + "某",
                r.choice(EXTENSION_REASONS),
            )
        if kind == F_LT:
            if self.status == "struck_off" or arg == self.long_term:
                return None
            self.long_term = arg
            return (arg,)
        if kind == F_LETTER:
            if not is_open or arg in self.letters:
                return None
            number = f"{LETTER_PREFIX[arg]}〔{date.fromordinal(day).year}〕{r.randint(1, 400)}号"
            self.letters[arg] = (number, False)
            return number, arg, self.units[0], day + r.randint(7, 15)
        if kind == F_ANSWER:
            number, answered = self.letters.get(arg, ("", True))
            if answered:
                return None
            self.letters[arg] = (number, True)
            return (number,)
        return self._status(kind, r)

    def _status(self, kind: int, r: random.Random) -> tuple[Any, ...] | None:
        allowed = {
            F_CLAIM: ("ongoing",),
            F_VERIFY: ("claimed",),
            F_BACK: ("claimed", "verified"),
            F_STRIKE: ("verified",),
        }[kind]
        if self.status not in allowed or (kind == F_CLAIM and not self.reports):
            return None
        self.status = {
            F_CLAIM: "claimed",
            F_VERIFY: "verified",
            F_BACK: "ongoing",
            F_STRIKE: "struck_off",
        }[kind]
        return (r.choice(SEND_BACK_REASONS),) if kind == F_BACK else ()


def make_plan(events: int, seed: int) -> Plan:
    """Units, then inspections until there are ``events`` events by the end of 2020.

    Findings per inspection are 300–650; inspections are added until the planned
    events reach the target, and the log is then cut at the target in recording
    order (the ledger as it stood at that moment).
    """
    planner = Planner(seed)
    planner.units()
    number = 0
    while len(planner.plan.rows) < events:
        number += 1
        planner.inspection(number)
    rows = planner.plan.rows
    rows.sort()
    del rows[events:]
    return planner.plan


# --- building events from rows ----------------------------------------------------------


class Builder:
    """Turns plan rows into domain events (validated Pydantic models)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.ids = plan.ids
        self.actors = plan.actors
        self.topics = {
            Unit: get_topic(Unit),
            Inspection: get_topic(Inspection),
            Finding: get_topic(Finding),
        }
        self.fields: list[Callable[[Row], dict[str, Any]]] = [
            self.unit_registered,
            self.headcount,
            self.opened,
            self.on_site,
            self.feedback,
            self.plan_filed,
            self.published,
            self.recorded,
            self.assigned,
            self.deadline_set,
            self.extended,
            self.long_term,
            self.measure,
            self.report,
            self.claimed,
            self.verified,
            self.sent_back,
            self.struck_off,
            self.letter,
            self.answered,
        ]

    def build(self, row: Row) -> Any:
        recorded, seq, kind, agg, version, effective, actor, _ = row
        fields = self.fields[kind](row)
        reason = fields.pop("_reason", "")
        basis = fields.pop("_basis", "")
        envelope = Envelope.model_validate(
            {
                "actor": self.actors[actor],
                "effective_at": datetime.fromtimestamp(effective, BEIJING),
                "reason": reason,
                "basis": basis,
                "correlation_id": UUID(
                    int=(seq * 0x9E3779B97F4A7C15 << 32) % (1 << 128) | 1, version=4
                ),
            }
        )
        fields.update(
            originator_id=self.ids[agg],
            originator_version=version,
            timestamp=_UTC_EPOCH + timedelta(microseconds=recorded),
            envelope=envelope,
        )
        return CLASSES[kind].model_validate(fields)

    # units and inspections
    def unit_registered(self, row: Row) -> dict[str, Any]:
        name, parent, level = row[7]
        return {
            "originator_topic": self.topics[Unit],
            "name": name,
            "level": level,
            "parent_id": None if parent is None else self.ids[parent],
        }

    def headcount(self, row: Row) -> dict[str, Any]:
        year, headcount = row[7]
        return {"year": year, "headcount": headcount}

    def opened(self, row: Row) -> dict[str, Any]:
        kind, title, body, inspected, start, end = row[7]
        return {
            "originator_topic": self.topics[Inspection],
            "kind": kind,
            "title": title,
            "inspecting_body": body,
            "inspected_body": inspected,
            "on_site_start": date.fromordinal(start),
            "on_site_end": date.fromordinal(end),
        }

    def on_site(self, row: Row) -> dict[str, Any]:
        return {"started_on": date.fromordinal(row[7][0])}

    def feedback(self, row: Row) -> dict[str, Any]:
        day, doc = row[7]
        return {"feedback_date": date.fromordinal(day), "document_no": doc, "_basis": doc}

    def plan_filed(self, row: Row) -> dict[str, Any]:
        day, doc = row[7]
        return {"filed_on": date.fromordinal(day), "document_no": doc, "_basis": doc}

    def published(self, row: Row) -> dict[str, Any]:
        day, doc = row[7]
        return {"published_on": date.fromordinal(day), "document_no": doc, "_basis": doc}

    # findings
    def recorded(self, row: Row) -> dict[str, Any]:
        inspection, feedback, category, number, t, (county, prefecture), deadline, lt = row[7]
        major, item, texts = CATEGORY_LIST[category]
        town = TOWNSHIPS[t % len(TOWNSHIPS)]
        households, people = t % 90 + 3, (t >> 8) % 400 + 10
        text = f"{county}{town}{texts[(t >> 17) % len(texts)]},涉及{households}户{people}人。"
        return {
            "originator_topic": self.topics[Finding],
            "inspection_id": inspection,
            "feedback_date": date.fromordinal(feedback),
            "category": [major, item],
            "number": number,
            "text": text,
            "sources": [f"{prefecture}反馈意见"],
            "deadline": None if deadline is None else date.fromordinal(deadline),
            "long_term": lt,
        }

    def assigned(self, row: Row) -> dict[str, Any]:
        leader, lead, units = row[7]
        return {
            "responsible_leader": leader,
            "lead_department": self.ids[lead],
            "responsible_units": [self.ids[u] for u in units],
        }

    def deadline_set(self, row: Row) -> dict[str, Any]:
        return {"deadline": date.fromordinal(row[7][0])}

    def extended(self, row: Row) -> dict[str, Any]:
        previous, new, approver, reason = row[7]
        return {
            "previous_deadline": date.fromordinal(previous),
            "new_deadline": date.fromordinal(new),
            "approver": approver,
            "_reason": reason,
        }

    def long_term(self, row: Row) -> dict[str, Any]:
        return {
            "long_term": row[7][0],
            "_reason": "经研究,调整为需长期坚持事项"
            if row[7][0]
            else "经研究,不再列为长期坚持事项",
        }

    def measure(self, row: Row) -> dict[str, Any]:
        m, kind, t, owner, deadline, lt = row[7]
        texts = MEASURE_TEXTS[kind]
        text = texts[t % len(texts)].format(t=SUBJECTS[(t >> 5) % len(SUBJECTS)])
        return {
            "measure_id": self.ids[m],
            "kind": kind,
            "text": text,
            "owner_unit": self.ids[owner],
            "long_term": lt,
            "deadline": None if deadline is None else date.fromordinal(deadline),
        }

    def report(self, row: Row) -> dict[str, Any]:
        measure, t = row[7]
        a, b, c = t % 40 + 2, (t >> 6) % 900 + 10, (t >> 16) % 99 + 1
        narrative = (
            OPENINGS[t % len(OPENINGS)]
            + MIDDLES[(t >> 3) % len(MIDDLES)]
            + CLOSINGS[(t >> 9) % len(CLOSINGS)]
        ).format(a=a, b=b, c=c)
        figures = []
        if t % 3:
            name, unit = FIGURE_NAMES[(t >> 12) % len(FIGURE_NAMES)]
            figures.append(
                Figure(
                    name=name,
                    value=Decimal(b),
                    unit=unit,
                    of_total=Decimal(b + c) if t % 2 else None,
                )
            )
        evidence = []
        if t % 4 == 0:
            year = datetime.fromtimestamp(row[5], BEIJING).year
            evidence.append(
                Evidence(
                    title="关于反馈问题整改情况的报告",
                    document_no=f"扶整改〔{year}〕{t % 300 + 1}号",
                    sha256=hashlib.sha256(t.to_bytes(8, "big")).hexdigest(),
                    location=f"档案室/{year}/整改/{t % 1000:03d}.pdf",
                )
            )
        return {
            "report_id": UUID(int=(t << 40) ^ row[1] ^ (1 << 120), version=4),
            "measure_id": None if measure is None else self.ids[measure],
            "narrative": narrative,
            "figures": figures,
            "evidence": evidence,
        }

    def claimed(self, row: Row) -> dict[str, Any]:
        return {"summary": "已按整改方案完成全部整改任务,申请验收销号。"}

    def verified(self, row: Row) -> dict[str, Any]:
        return {"opinion": "经实地核查和资料审核,整改到位,同意验收。"}

    def sent_back(self, row: Row) -> dict[str, Any]:
        return {"_reason": row[7][0]}

    def struck_off(self, row: Row) -> dict[str, Any]:
        return {"_basis": "整改销号审批表"}

    def letter(self, row: Row) -> dict[str, Any]:
        number, level, to, due = row[7]
        return {
            "letter_no": number,
            "level": level,
            "addressed_to": self.ids[to],
            "due_date": date.fromordinal(due),
            "_reason": "整改进度滞后,已超过整改时限",
        }

    def answered(self, row: Row) -> dict[str, Any]:
        return {
            "letter_no": row[7][0],
            "answer": "已收到督办函,正加快推进整改,将按期报送整改结果。",
        }


# --- saving -------------------------------------------------------------------------------


@dataclass
class Result:
    """What a generation run measured."""

    events: int
    plan_s: float
    save_s: float
    rebuild_s: dict[str, float]
    kinds: Counter[str]
    inspections: int
    findings: int
    units: int
    backfilled: float


def generate(
    url: str,
    events: int,
    seed: int = 2018,
    batch: int = 1000,
    check: bool = False,
    rebuild: bool = True,
    per_model: bool = False,
    out: Any = sys.stdout,
) -> Result:
    """Plan, build and save ``events`` events into the empty ledger at ``url``."""
    started = time.perf_counter()
    plan = make_plan(events, seed)
    plan_s = time.perf_counter() - started
    print(
        f"  planned {len(plan.rows):,} events in {plan_s:.1f} s: {plan.inspections} inspections, "
        f"{plan.findings:,} findings, {plan.units:,} units",
        file=out,
        flush=True,
    )
    if check:
        checked = check_plan(plan)
        print(f"  checked {checked:,} events against the domain's rules: all allowed", file=out)
    ledger = Ledger(Settings(url))
    recorder: Any = ledger.recorder  # ours: it carries the read models' projector
    try:
        if recorder.max_notification_id():
            raise SystemExit(f"{url} already holds events; generate into an empty database")
        projector, recorder.projector = recorder.projector, None
        save_s = save(ledger, plan, batch, out)
        recorder.projector = projector
        rebuilt = rebuild_all(ledger, out, per_model) if rebuild else {}
    finally:
        ledger.close()
    kinds = Counter(CLASSES[row[2]].__qualname__ for row in plan.rows)
    late = sum(1 for row in plan.rows if row[0] - row[5] * 1_000_000 > 3 * DAY * 1_000_000)
    return Result(
        len(plan.rows),
        plan_s,
        save_s,
        rebuilt,
        kinds,
        plan.inspections,
        plan.findings,
        plan.units,
        late / max(len(plan.rows), 1),
    )


def save(ledger: Ledger, plan: Plan, batch: int, out: Any) -> float:
    """``ledger.save`` ``batch`` events at a time; returns seconds."""
    builder = Builder(plan)
    rows = plan.rows
    meter = Meter(out, "saved")
    for start in range(0, len(rows), batch):
        ledger.save(*[builder.build(row) for row in rows[start : start + batch]])
        meter(min(start + batch, len(rows)), len(rows))
    return meter.finish(len(rows))


def rebuild_all(ledger: Ledger, out: Any = sys.stdout, per_model: bool = False) -> dict[str, float]:
    """Rebuild every read model; seconds, by what was rebuilt.

    ``projector.rebuild()`` without a name rebuilds them all in one pass over
    the log; ``per_model`` (or a projector without that) rebuilds them one
    after another with ``projector.rebuild(name)``.
    """
    projector = ledger.projector
    if not per_model and _all_at_once(projector):
        meter = Meter(out, "rebuild all read models, one pass")
        head = projector.rebuild(None, meter)
        return {ALL_AT_ONCE: meter.finish(head)}
    seconds = {}
    for projection in projector.projections:
        meter = Meter(out, f"rebuild {projection.name:12}")
        head = projector.rebuild(projection.name, meter)
        seconds[projection.name] = meter.finish(head)
    return seconds


ALL_AT_ONCE = "one pass"


def _all_at_once(projector: Any) -> bool:
    name = inspect.signature(projector.rebuild).parameters.get("name")
    return name is not None and name.default is None


class Meter:
    """Progress of one long step: a line redrawn on a terminal, a line every 10 s in a log."""

    def __init__(self, out: Any, label: str) -> None:
        self.out, self.label = out, label
        self.tty = out.isatty()
        self.started = self.last = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.last < (1 if self.tty else 10):
            return
        self.last = now
        rate = done / (now - self.started)
        self.show(
            f"{done:>10,} / {total:,} events {rate:8,.0f} events/s "
            f"eta {(total - done) / rate:4.0f} s",
            final=False,
        )

    def finish(self, done: int) -> float:
        seconds = time.perf_counter() - self.started
        self.show(
            f"{done:>10,} events in {seconds:6.1f} s {done / seconds:8,.0f} events/s", final=True
        )
        return seconds

    def show(self, text: str, final: bool) -> None:
        line = f"  {self.label} {text}"
        if self.tty:
            print(f"\r{line:<78}", end="\n" if final else "", file=self.out, flush=True)
        else:
            print(line, file=self.out, flush=True)


# --- checking against the domain -------------------------------------------------------------


def check_plan(plan: Plan) -> int:
    """Replay every planned event through the domain's public methods; returns events checked.

    Each event is re-decided by the method a command would call, on an
    aggregate rebuilt from the events before it, after the role check; the
    method must accept it and produce an event of the same class and version.
    """
    builder = Builder(plan)
    aggregates: dict[UUID, Any] = {}
    feedback: dict[UUID, date] = {}
    for row in sorted(plan.rows, key=lambda r: r[1]):
        event = builder.build(row)
        agg = aggregates.get(event.originator_id)
        agg = redecide(agg, event, feedback)
        produced = agg.collect_events()
        assert len(produced) == 1, event
        assert type(produced[0]) is type(event), (produced, event)
        assert produced[0].originator_version == event.originator_version, event
        aggregates[event.originator_id] = agg
    return len(plan.rows)


COMMANDS: dict[Any, str] = {
    Unit.Registered: "register_unit",
    Unit.HeadcountRecorded: "record_headcount",
    Inspection.Opened: "open_inspection",
    Inspection.OnSiteBegun: "begin_on_site",
    Inspection.FeedbackDelivered: "deliver_feedback",
    Inspection.PlanFiled: "file_plan",
    Inspection.ProgressPublished: "publish_progress",
    Finding.Recorded: "record_finding",
    Finding.Assigned: "assign",
    Finding.DeadlineSet: "set_deadline",
    Finding.DeadlineExtended: "extend_deadline",
    Finding.LongTermMarked: "mark_long_term",
    Finding.MeasureAdded: "add_measure",
    Finding.ProgressReported: "report_progress",
    Finding.CompletionClaimed: "claim_completion",
    Finding.CompletionVerified: "verify",
    Finding.SentBack: "send_back",
    Finding.StruckOff: "strike_off",
    Finding.LetterIssued: "issue_letter",
    Finding.LetterAnswered: "answer_letter",
}


def redecide(agg: Any, e: Any, feedback: dict[UUID, date]) -> Any:
    """Call the domain method that decides ``e`` (raises if the domain refuses it)."""
    env = e.envelope
    actor = env.actor
    policy.require_role(COMMANDS[type(e)], actor)
    if isinstance(agg, Finding):
        policy.require_assigned(actor, agg.is_assigned_to(actor.unit))
    if isinstance(e, Unit.Registered):
        return Unit.register(env, name=e.name, level=e.level, parent_id=e.parent_id)
    if isinstance(e, Inspection.Opened):
        return Inspection.open(
            env,
            kind=e.kind,
            title=e.title,
            inspecting_body=e.inspecting_body,
            inspected_body=e.inspected_body,
            on_site_start=e.on_site_start,
            on_site_end=e.on_site_end,
        )
    if isinstance(e, Finding.Recorded):
        assert feedback[e.inspection_id] == e.feedback_date
        return Finding.record(
            env,
            inspection_id=e.inspection_id,
            feedback_date=e.feedback_date,
            category=e.category,
            number=e.number,
            text=e.text,
            sources=e.sources,
            deadline=e.deadline,
            long_term=e.long_term,
        )
    call: Callable[[], Any] = {
        Unit.HeadcountRecorded: lambda: agg.record_headcount(
            env, year=e.year, headcount=e.headcount
        ),
        Inspection.OnSiteBegun: lambda: agg.begin_on_site(env, e.started_on),
        Inspection.FeedbackDelivered: lambda: agg.deliver_feedback(
            env, e.feedback_date, e.document_no
        ),
        Inspection.PlanFiled: lambda: agg.file_plan(env, e.filed_on, e.document_no),
        Inspection.ProgressPublished: lambda: agg.publish_progress(
            env, e.published_on, e.document_no
        ),
        Finding.Assigned: lambda: agg.assign(
            env,
            responsible_leader=e.responsible_leader,
            lead_department=e.lead_department,
            units=e.responsible_units,
        ),
        Finding.DeadlineSet: lambda: agg.set_deadline(env, e.deadline),
        Finding.DeadlineExtended: lambda: agg.extend_deadline(
            env, new_deadline=e.new_deadline, approver=e.approver
        ),
        Finding.LongTermMarked: lambda: agg.mark_long_term(env, e.long_term),
        Finding.MeasureAdded: lambda: (
            policy.require_own_unit(actor, e.owner_unit),  # type: ignore[func-returns-value]
            agg.add_measure(
                env,
                measure_id=e.measure_id,
                kind=e.kind,
                text=e.text,
                owner_unit=e.owner_unit,
                deadline=e.deadline,
                long_term=e.long_term,
            ),
        ),
        Finding.ProgressReported: lambda: agg.report_progress(
            env,
            report_id=e.report_id,
            narrative=e.narrative,
            measure_id=e.measure_id,
            figures=e.figures,
            evidence=e.evidence,
        ),
        Finding.CompletionClaimed: lambda: agg.claim_completion(env, e.summary),
        Finding.CompletionVerified: lambda: agg.verify(env, e.opinion),
        Finding.SentBack: lambda: agg.send_back(env),
        Finding.StruckOff: lambda: agg.strike_off(env),
        Finding.LetterIssued: lambda: agg.issue_letter(
            env,
            letter_no=e.letter_no,
            level=e.level,
            addressed_to=e.addressed_to,
            due_date=e.due_date,
        ),
        Finding.LetterAnswered: lambda: agg.answer_letter(
            env, letter_no=e.letter_no, answer=e.answer
        ),
    }[type(e)]  # type: ignore[index]
    call()
    if isinstance(e, Inspection.FeedbackDelivered):
        feedback[e.originator_id] = e.feedback_date
    return agg


# --- main --------------------------------------------------------------------------------


def summary(result: Result, out: Any = sys.stdout) -> None:
    """What was generated, and how fast."""
    n = result.events
    print(
        f"\n  {n:,} events: {result.inspections} inspections, {result.findings:,} findings, "
        f"{result.units:,} units; {result.backfilled:.1%} recorded more than 3 days after "
        f"they took effect",
        file=out,
    )
    for name, count in result.kinds.most_common():
        print(f"    {name:32}{count:>10,}  {count / n:6.1%}", file=out)
    print(
        f"  plan {result.plan_s:.1f} s; build + save {result.save_s:.1f} s = "
        f"{n / result.save_s:,.0f} events/s (read models detached); "
        f"overall {n / (result.plan_s + result.save_s):,.0f} events/s",
        file=out,
    )
    if result.rebuild_s:
        total = sum(result.rebuild_s.values())
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in result.rebuild_s.items())
        print(
            f"  rebuild of every read model: {total:.1f} s = {n / total:,.0f} events/s ({parts})",
            file=out,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="database URL (sqlite:///FILE or postgresql://…?schema=NAME)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--batch", type=int, default=1000, help="events per ledger.save()")
    parser.add_argument(
        "--check",
        action="store_true",
        help="replay every planned event through the domain first (slow)",
    )
    parser.add_argument(
        "--no-rebuild",
        action="store_true",
        help="leave the read models empty (they build on next open)",
    )
    parser.add_argument(
        "--per-model",
        action="store_true",
        help="rebuild the read models one after another instead of in one pass",
    )
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; generating "
        f"{args.events:,} events into {args.url}",
        flush=True,
    )
    result = generate(
        args.url,
        args.events,
        args.seed,
        args.batch,
        args.check,
        rebuild=not args.no_rebuild,
        per_model=args.per_model,
    )
    summary(result)


if __name__ == "__main__":
    main()
