"""Input rules shared by the aggregates; each failure names its field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from ledger.domain.errors import InvalidInput

E = TypeVar("E", bound=Enum)

MAX_SHORT = 200  # names, numbers, titles
MAX_TEXT = 10_000  # problem texts, narratives
MAX_ITEMS = 200  # list lengths (units, figures, evidence)


def text(field: str, value: Any, *, max_len: int = MAX_SHORT, optional: bool = False) -> str:
    """A stripped, non-empty string no longer than ``max_len``."""
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("必须是文本", field=field)
    result: str = value.strip()
    if not result and not optional:
        raise InvalidInput("不能为空", field=field)
    if len(result) > max_len:
        raise InvalidInput(f"过长:{len(result)} 字,上限 {max_len} 字", field=field)
    if "\x00" in result:
        raise InvalidInput("含有非法字符 NUL", field=field)
    return result


def texts(field: str, values: Any, *, min_items: int = 0, max_len: int = MAX_SHORT) -> list[str]:
    """A list of non-empty strings."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput("必须是文本列表", field=field)
    result = [text(f"{field}[{i}]", v, max_len=max_len) for i, v in enumerate(values)]
    _count(field, result, min_items)
    return result


def enum(field: str, kind: type[E], value: Any) -> E:
    """An enumeration member from its value; unknown values list the choices."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in kind)
        raise InvalidInput(f"未知取值 {value!r},可选:{choices}", field=field) from None


def uuid(field: str, value: Any) -> UUID:
    """A UUID from a UUID or its string form."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(f"不是有效的编号 {value!r}", field=field) from None


def uuids(field: str, values: Any, *, min_items: int = 0) -> list[UUID]:
    """A list of distinct UUIDs, order kept."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput("必须是编号列表", field=field)
    result: list[UUID] = []
    for i, v in enumerate(values):
        u = uuid(f"{field}[{i}]", v)
        if u in result:
            raise InvalidInput(f"重复的编号 {u}", field=field)
        result.append(u)
    _count(field, result, min_items)
    return result


def a_date(field: str, value: Any, *, optional: bool = False) -> date | None:
    """A calendar date from a date or an ISO string."""
    if value is None or value == "":
        if optional:
            return None
        raise InvalidInput("不能为空", field=field)
    if isinstance(value, datetime):
        raise InvalidInput(f"须为日期,不带时间:{value!r}", field=field)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"不是有效日期 {value!r}(应为 YYYY-MM-DD)", field=field) from None


def day(field: str, value: Any) -> date:
    """A required calendar date."""
    result = a_date(field, value)
    assert result is not None
    return result


def not_before(field: str, value: date | None, limit: date | None, what: str) -> None:
    """Refuse a date earlier than ``limit`` (e.g. a deadline before feedback)."""
    if value is not None and limit is not None and value < limit:
        raise InvalidInput(f"{value} 早于{what} {limit}", field=field)


def decimal(field: str, value: Any, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    """An exact decimal (never a float), at least ``minimum``."""
    if isinstance(value, float | bool):
        raise InvalidInput("数值须以文本或整数给出,不接受浮点数", field=field)
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"不是有效数值 {value!r}", field=field) from None
    if not result.is_finite():
        raise InvalidInput("必须是有限数值", field=field)
    if minimum is not None and result < minimum:
        raise InvalidInput(f"不能小于 {minimum}", field=field)
    return result


# Larger than any real count, small enough for every JSON reader (2**53).
MAX_COUNT = 10**12


def count(field: str, value: Any) -> int:
    """A non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("必须是整数", field=field)
    if value < 0:
        raise InvalidInput("不能为负数", field=field)
    if value > MAX_COUNT:
        raise InvalidInput(f"超出范围(最大 {MAX_COUNT})", field=field)
    return value


def _count(field: str, items: list[Any], min_items: int) -> None:
    if len(items) < min_items:
        raise InvalidInput(f"至少需要 {min_items} 项", field=field)
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"过多:{len(items)} 项,上限 {MAX_ITEMS} 项", field=field)


# A hundred billion yuan: beyond any single programme in the seeds, and exact in fen as int64.
MAX_AMOUNT = Decimal("100000000000.00")
FEN = Decimal("0.01")


def amount(field: str, value: Any) -> Decimal:
    """An amount of money in yuan: more than zero, at most two decimals (fen), never a float."""
    result = decimal(field, value, minimum=None)
    if result <= 0:
        raise InvalidInput(f"金额须大于零:{result}", field=field)
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and result != result.quantize(FEN):
        raise InvalidInput(f"金额最多两位小数(精确到分):{result}", field=field)
    if result > MAX_AMOUNT:
        raise InvalidInput(f"金额超出上限 {MAX_AMOUNT}", field=field)
    return result.quantize(FEN)


def year(field: str, value: Any) -> int:
    """A calendar year between 1949 and 2100."""
    y = count(field, value)
    if not 1949 <= y <= 2100:
        raise InvalidInput(f"年份 {y} 不在 1949–2100 之间", field=field)
    return y
