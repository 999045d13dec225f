"""Kinds of accountability action (问责 / 处分) and how appeals end.

Every kind belongs to one family, and the published figures count by
family: "组织处理258人" counts people with an organisational action,
"党纪政务处分126人" people with a party or a government sanction.
"""

from __future__ import annotations

from enum import StrEnum

from ledger.domain.values import LabelledEnum


class ActionFamily(LabelledEnum):
    """The five families DOMAIN.md lists."""

    ACCOUNTABILITY = "accountability", "问责"
    ORGANISATIONAL = "organisational", "组织处理"
    PARTY = "party", "党纪处分"
    GOVERNMENT = "government", "政务处分"
    JUDICIAL = "judicial", "移送司法机关"


class ActionKind(StrEnum):
    """One kind of action, with its Chinese name and its family."""

    label: str
    family: ActionFamily

    def __new__(
        cls, value: str, label: str = "", family: ActionFamily = ActionFamily.ACCOUNTABILITY
    ) -> ActionKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.family = family
        return member

    # 问责 forms that leave the post as it is
    CRITICISM = "criticism", "批评教育", ActionFamily.ACCOUNTABILITY
    ADMONISHING_TALK = "admonishing_talk", "约谈", ActionFamily.ACCOUNTABILITY
    ADMONITION = "admonition", "诫勉", ActionFamily.ACCOUNTABILITY
    CIRCULATED_CRITICISM = "circulated_criticism", "通报批评", ActionFamily.ACCOUNTABILITY
    PUBLIC_APOLOGY = "public_apology", "责令公开道歉", ActionFamily.ACCOUNTABILITY
    # 组织处理: actions on the post itself
    ORGANISATIONAL = "organisational", "组织处理", ActionFamily.ORGANISATIONAL
    RECALL = "recall", "召回", ActionFamily.ORGANISATIONAL
    SUSPENSION = "suspension", "停职检查", ActionFamily.ORGANISATIONAL
    TRANSFER = "transfer", "调离岗位", ActionFamily.ORGANISATIONAL
    NON_LEADING = "non_leading", "改任非领导职务", ActionFamily.ORGANISATIONAL
    DEMOTION = "demotion", "降职", ActionFamily.ORGANISATIONAL
    RESIGNATION = "resignation", "引咎辞职", ActionFamily.ORGANISATIONAL
    ORDERED_RESIGNATION = "ordered_resignation", "责令辞职", ActionFamily.ORGANISATIONAL
    REMOVAL = "removal", "免职", ActionFamily.ORGANISATIONAL
    DISCHARGE = "discharge", "辞退", ActionFamily.ORGANISATIONAL
    # 党纪处分
    PARTY_WARNING = "party_warning", "党内警告", ActionFamily.PARTY
    PARTY_SERIOUS_WARNING = "party_serious_warning", "党内严重警告", ActionFamily.PARTY
    PARTY_POST_REMOVAL = "party_post_removal", "撤销党内职务", ActionFamily.PARTY
    PARTY_PROBATION = "party_probation", "留党察看", ActionFamily.PARTY
    PARTY_EXPULSION = "party_expulsion", "开除党籍", ActionFamily.PARTY
    # 政务处分
    GOV_WARNING = "gov_warning", "政务警告", ActionFamily.GOVERNMENT
    GOV_DEMERIT = "gov_demerit", "记过", ActionFamily.GOVERNMENT
    GOV_MAJOR_DEMERIT = "gov_major_demerit", "记大过", ActionFamily.GOVERNMENT
    GOV_DOWNGRADE = "gov_downgrade", "降级", ActionFamily.GOVERNMENT
    GOV_REMOVAL = "gov_removal", "撤职", ActionFamily.GOVERNMENT
    GOV_EXPULSION = "gov_expulsion", "开除", ActionFamily.GOVERNMENT
    # 移送司法机关
    JUDICIAL = "judicial", "移送司法机关", ActionFamily.JUDICIAL


class SubjectType(LabelledEnum):
    """Whom an action is against."""

    PERSON = "person", "个人"
    ORGANISATION = "organisation", "组织"


class ActionStatus(LabelledEnum):
    """Where an action stands."""

    PROPOSED = "proposed", "已提出问责建议"
    DECIDED = "decided", "已作出决定"
    CARRIED_OUT = "carried_out", "已执行"
    REVOKED = "revoked", "经申诉撤销"


class AppealOutcome(LabelledEnum):
    """How an appeal (申诉) ended."""

    UPHELD = "upheld", "维持"
    CHANGED = "changed", "变更"
    REVOKED = "revoked", "撤销"


# An action counts in the figures once decided, until an appeal revokes it.
COUNTED = frozenset({ActionStatus.DECIDED, ActionStatus.CARRIED_OUT})
