"""整改时限 in the forms offices write it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ledger.transfer.dates import DateProblem, Deadline, parse_deadline
from ledger.transfer.text import split_category, split_names

D = date(2018, 6, 10)


@pytest.mark.parametrize(
    "cell",
    [
        "2018年6月10日",
        "2018年06月10日前",
        "2018.6.10",
        "2018-06-10",
        "2018/6/10",
        "２０１８年６月１０日",
        " 2018 年 6 月 10 日之前 ",
        43261,
        43261.0,
        "43261",
        datetime(2018, 6, 10),
        D,
        "6月10日前",
    ],
)
def test_a_deadline_is_read_in_every_usual_form(cell: object) -> None:
    assert parse_deadline(cell, 2018) == Deadline(D, False)


@pytest.mark.parametrize("cell", ["长期坚持", "长期", " 持续推进 "])
def test_long_term_has_no_date(cell: str) -> None:
    assert parse_deadline(cell, None) == Deadline(None, True)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2018年2月30日", "不存在的日期「2018年2月30日」"),
        ("6月10日前", "缺少年份"),
        ("下半年", "无法识别的整改时限「下半年」"),
        (43261.5, "无法识别的 Excel 日期序号"),
        ("1900年1月1日", "超出合理范围"),
    ],
)
def test_an_unreadable_deadline_says_why(cell: object, message: str) -> None:
    with pytest.raises(DateProblem, match=message):
        parse_deadline(cell, None)


def test_empty_cells_have_no_deadline() -> None:
    assert parse_deadline(None, 2018) is None and parse_deadline(" ", 2018) is None


def test_unit_names_are_split_but_known_names_with_separators_stay_whole() -> None:
    assert split_names("县财政局、县扶贫办,县委办;县财政局") == ["县财政局", "县扶贫办", "县委办"]
    known = {"各市(州)党委、政府"}
    assert split_names("各市(州)党委、政府、省扶贫办", known) == ["各市(州)党委、政府", "省扶贫办"]


def test_categories_split_on_slashes_and_arrows() -> None:
    assert split_category("扶贫资金 / 资金管理") == ["扶贫资金", "资金管理"]
    assert split_category("扶贫资金>资金管理") == ["扶贫资金", "资金管理"]
    assert split_category("作风建设") == ["作风建设"]
