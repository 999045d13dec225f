"""Request-validation problems in Chinese: the words a person reads next to a field.

FastAPI's validation (Pydantic) explains a refused body or query in
English; the console shows that message beside the field it names, so the
common kinds are said here in Chinese. The field path stays in English (it
is what clients match on); a kind not listed keeps Pydantic's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Say = Callable[[dict[str, Any]], str]


def _expected(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", "、")


MESSAGES: dict[str, Say] = {
    "missing": lambda _: "必填",
    "date_parsing": lambda _: "不是有效的日期(YYYY-MM-DD)",
    "date_from_datetime_parsing": lambda _: "不是有效的日期(YYYY-MM-DD)",
    "date_type": lambda _: "不是有效的日期(YYYY-MM-DD)",
    "datetime_parsing": lambda _: "不是有效的时间(ISO 8601)",
    "datetime_from_date_parsing": lambda _: "不是有效的时间(ISO 8601)",
    "datetime_type": lambda _: "不是有效的时间(ISO 8601)",
    "uuid_parsing": lambda _: "不是有效的编号(UUID)",
    "uuid_type": lambda _: "不是有效的编号(UUID)",
    "enum": lambda ctx: f"须为以下之一:{_expected(ctx)}",
    "literal_error": lambda ctx: f"须为以下之一:{_expected(ctx)}",
    "int_parsing": lambda _: "须为整数",
    "int_type": lambda _: "须为整数",
    "int_from_float": lambda _: "须为整数",
    "decimal_parsing": lambda _: "须为数字(元,最多两位小数)",
    "decimal_type": lambda _: "须为数字(元,最多两位小数)",
    "bool_parsing": lambda _: "须为 true 或 false",
    "bool_type": lambda _: "须为 true 或 false",
    "string_type": lambda _: "须为文字",
    "string_too_long": lambda ctx: f"最多 {ctx.get('max_length')} 个字符",
    "string_too_short": lambda ctx: f"至少 {ctx.get('min_length')} 个字符",
    "greater_than_equal": lambda ctx: f"不能小于 {ctx.get('ge')}",
    "less_than_equal": lambda ctx: f"不能大于 {ctx.get('le')}",
    "list_type": lambda _: "须为列表",
    "extra_forbidden": lambda _: "不是可接受的字段",
}


def in_chinese(problem: dict[str, Any]) -> str:
    """The message for one validation problem, in Chinese where the kind is known."""
    say = MESSAGES.get(str(problem.get("type")))
    if say is None:
        return str(problem.get("msg", "无效"))
    return say(problem.get("ctx") or {})
