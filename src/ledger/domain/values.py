"""Value types shared by the aggregates: enumerations and small frozen records.

Every enumeration stores its English value; ``label`` gives the Chinese term
the published reports use.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict

# Business dates are Beijing dates (no daylight saving, so a fixed offset is exact).
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class Frozen(BaseModel):
    """Base for immutable value records carried inside events."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelledEnum(StrEnum):
    """A string enumeration whose members carry a Chinese label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member


class Role(LabelledEnum):
    """Who an actor acts as (roles of DOMAIN.md)."""

    INSPECTION_OFFICE = "inspection_office", "巡视整改办"
    RESPONSIBLE_UNIT = "responsible_unit", "责任单位"
    DISCIPLINE = "discipline", "纪委监委"
    FINANCE = "finance", "财政"
    AUDITOR = "auditor", "审计/督查"
    ADMIN = "admin", "系统管理员"


class InspectionKind(LabelledEnum):
    """The kind of review that produced the findings."""

    CENTRAL_INSPECTION = "central_inspection", "中央巡视"
    PROVINCIAL_INSPECTION = "provincial_inspection", "省委巡视"
    LOOKBACK = "lookback", "巡视“回头看”"
    TOUR = "tour", "巡察"
    ASSESSMENT = "assessment", "成效考核"
    AUDIT = "audit", "审计"
    SUPERVISION = "supervision", "督查暗访"
    SELF_INSPECTION = "self_inspection", "自查"
    THIRD_PARTY = "third_party", "第三方评估"
    PETITION_MEDIA = "petition_media", "信访/媒体"


class InspectionStage(LabelledEnum):
    """Lifecycle of an inspection, in order."""

    OPENED = "opened", "已立项"
    ON_SITE = "on_site", "进驻中"
    FEEDBACK_DELIVERED = "feedback_delivered", "已反馈"
    RECTIFYING = "rectifying", "整改中"
    PROGRESS_PUBLISHED = "progress_published", "已公布整改进展"
    CLOSED = "closed", "已结束"


class FindingStatus(LabelledEnum):
    """Where a finding stands in claim → verify → strike off."""

    ONGOING = "ongoing", "正在整改"
    CLAIMED = "claimed", "已申报完成"
    VERIFIED = "verified", "已验收"
    STRUCK_OFF = "struck_off", "已销号"


class MeasureKind(LabelledEnum):
    """The three kinds of rectification measure."""

    IMMEDIATE = "immediate", "立行立改"
    ELSEWHERE = "elsewhere", "举一反三"
    RULES = "rules", "建章立制"


class EscalationLevel(LabelledEnum):
    """Supervision-letter tiers: staff → deputy leader → principal leader."""

    STAFF = "staff", "工作人员督办"
    DEPUTY = "deputy", "分管领导督办"
    PRINCIPAL = "principal", "主要领导督办"


class UnitLevel(LabelledEnum):
    """Administrative level of a unit."""

    CENTRAL = "central", "中央"
    PROVINCE = "province", "省/自治区"
    PREFECTURE = "prefecture", "市州/盟市"
    COUNTY = "county", "县/旗县"
    TOWNSHIP = "township", "乡镇/苏木"
    VILLAGE = "village", "村/嘎查"


class Actor(Frozen):
    """Who issued a command: the identity the event is attributed to."""

    id: str
    name: str
    role: Role
    unit: UUID | None = None


class Figure(Frozen):
    """A reported quantity, e.g. 劝返复学 138 人 of 202 found."""

    name: str
    value: Decimal
    unit: str = ""
    of_total: Decimal | None = None


class Evidence(Frozen):
    """A reference to a supporting document: title, number, content hash, location."""

    title: str
    document_no: str = ""
    sha256: str = ""
    location: str = ""


def beijing_date_of(moment: datetime) -> date:
    """The Beijing calendar date of an aware datetime."""
    return moment.astimezone(BEIJING).date()
