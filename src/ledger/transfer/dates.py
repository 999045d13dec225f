"""整改时限 as offices write it: a date in one of the usual forms, or 长期坚持.

Accepted: 2018年6月10日, 2018.6.10, 2018-06-10, 2018/6/10, an Excel date
(a date-formatted cell or a bare serial number), and 6月10日 (with the year
given by the caller, ``--year``); any of them may end in 前 / 之前 / 以前.
长期坚持 (also 长期, 持续推进) means long-term, with no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ledger.transfer.text import key

LONG_TERM_WORDS = ("长期坚持", "长期", "持续推进", "持续整改")
# Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 is accounted for.
EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)

_FULL = re.compile(r"^(\d{4})\s*(?:年|[.\-/])\s*(\d{1,2})\s*(?:月|[.\-/])\s*(\d{1,2})\s*日?$")
_SHORT = re.compile(r"^(\d{1,2})\s*(?:月|[.\-/])\s*(\d{1,2})\s*日?$")
_TAIL = re.compile(r"(?:之前|以前|前|止)$")


class DateProblem(ValueError):
    """A deadline that cannot be read; the message is for people."""


@dataclass(frozen=True)
class Deadline:
    """A parsed 整改时限: a date, or long-term without one."""

    day: date | None
    long_term: bool


def parse_deadline(value: object, year: int | None) -> Deadline | None:
    """The deadline a cell holds; None for an empty cell; DateProblem if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return Deadline(_checked(value.date(), str(value)), False)
    if isinstance(value, date):
        return Deadline(_checked(value, str(value)), False)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Deadline(_serial(value), False)
    text = key(value)
    if not text:
        return None
    if text in LONG_TERM_WORDS:
        return Deadline(None, True)
    if text.isdigit() and len(text) <= 5:
        return Deadline(_serial(int(text)), False)
    return Deadline(_text_date(_TAIL.sub("", text), year, text), False)


def _text_date(text: str, year: int | None, shown: str) -> date:
    if match := _FULL.match(text):
        y, m, d = (int(g) for g in match.groups())
        return _checked(_make(y, m, d, shown), shown)
    if match := _SHORT.match(text):
        if year is None:
            raise DateProblem(f"日期「{shown}」缺少年份,请用 --year 指定年份")
        m, d = (int(g) for g in match.groups())
        return _checked(_make(year, m, d, shown), shown)
    raise DateProblem(
        f"无法识别的整改时限「{shown}」(应为 2018年6月10日、2018.6.10、2018-06-10、"
        "6月10日前 或 长期坚持)"
    )


def _make(y: int, m: int, d: int, shown: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateProblem(f"不存在的日期「{shown}」") from None


def _serial(value: float) -> date:
    if value != int(value) or not 1 <= value <= 2_958_465:
        raise DateProblem(f"无法识别的 Excel 日期序号 {value}")
    return _checked(EXCEL_EPOCH + timedelta(days=int(value)), f"Excel 日期序号 {int(value)}")


def _checked(day: date, shown: str) -> date:
    if not EARLIEST <= day <= LATEST:
        raise DateProblem(f"日期「{shown}」超出合理范围({EARLIEST.year}–{LATEST.year}年)")
    return day
