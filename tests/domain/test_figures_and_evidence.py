"""Reported figures are exact decimals; evidence hashes are SHA-256 hex digests."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from ledger.domain.errors import InvalidInput
from ledger.domain.finding_parts import evidence, figures
from ledger.domain.values import Evidence, Figure

DIGEST = "ab" * 32


def test_figures_keep_exact_decimal_values():
    (figure,) = figures([{"name": "劝返复学", "value": "138", "unit": "人", "of_total": 202}])
    assert figure == Figure(name="劝返复学", value=Decimal(138), unit="人", of_total=Decimal(202))
    (money,) = figures([{"name": "追缴资金", "value": "6322900.00", "unit": "元"}])
    assert money.value == Decimal("6322900.00")


def test_figure_values_equal_to_their_total_are_accepted():
    (figure,) = figures([Figure(name="已完成", value=Decimal(68), of_total=Decimal(68))])
    assert figure.value == figure.of_total


@pytest.mark.parametrize("value", [138.0, 0.1, True])
def test_a_float_figure_value_is_refused(value):
    with pytest.raises(InvalidInput) as caught:
        figures([{"name": "劝返复学", "value": value}])
    assert caught.value.field == "figures[0].value"


def test_a_float_total_is_refused():
    with pytest.raises(InvalidInput) as caught:
        figures([{"name": "劝返复学", "value": 138, "of_total": 202.0}])
    assert caught.value.field == "figures[0].of_total"


def test_a_figure_larger_than_its_total_is_refused():
    with pytest.raises(InvalidInput) as caught:
        figures(
            [
                {"name": "劝返复学", "value": "1", "of_total": "1"},
                {"name": "劝返复学", "value": "203", "of_total": "202"},
            ]
        )
    assert caught.value.field == "figures[1].value"
    assert "203" in caught.value.message and "202" in caught.value.message


@pytest.mark.parametrize("value", ["-1", "NaN", "Infinity", "一百", None])
def test_negative_infinite_or_non_numeric_figures_are_refused(value):
    with pytest.raises(InvalidInput) as caught:
        figures([{"name": "人数", "value": value}])
    assert caught.value.field == "figures[0].value"


def test_a_figure_needs_a_name():
    with pytest.raises(InvalidInput) as caught:
        figures([{"name": " ", "value": 1}])
    assert caught.value.field == "figures[0].name"


@pytest.mark.parametrize("bad", [{"name": "x"}, "138"])
def test_figures_must_be_a_list_of_objects(bad):
    with pytest.raises(InvalidInput) as caught:
        figures(bad if isinstance(bad, str) else [bad, 5])
    assert caught.value.field in ("figures", "figures[0].value", "figures[1]")


def test_evidence_keeps_title_number_hash_and_location():
    (item,) = evidence(
        [
            {
                "title": "关于劝返复学情况的报告",
                "document_no": "云开组〔2018〕37号",
                "sha256": DIGEST.upper(),
                "location": "s3://evidence/37.pdf",
            }
        ]
    )
    assert item == Evidence(
        title="关于劝返复学情况的报告",
        document_no="云开组〔2018〕37号",
        sha256=DIGEST,
        location="s3://evidence/37.pdf",
    )


def test_evidence_without_a_hash_is_accepted():
    (item,) = evidence([{"title": "会议纪要"}])
    assert item.sha256 == ""


@pytest.mark.parametrize(
    "digest",
    ["ab" * 31, "ab" * 32 + "a", "zz" * 32, "g" + "a" * 63, "0x" + "a" * 62],
    ids=["62-hex", "65-hex", "not-hex", "one-bad-char", "0x-prefix"],
)
def test_an_evidence_hash_that_is_not_64_hex_digits_is_refused(digest):
    with pytest.raises(InvalidInput) as caught:
        evidence([{"title": "报告", "sha256": digest}])
    assert caught.value.field == "evidence[0].sha256"


def test_evidence_needs_a_title():
    with pytest.raises(InvalidInput) as caught:
        evidence([{"title": "", "sha256": DIGEST}])
    assert caught.value.field == "evidence[0].title"


def test_a_progress_report_with_a_float_figure_records_nothing(finding, env):
    with pytest.raises(InvalidInput) as caught:
        finding.report_progress(
            env(), report_id=uuid4(), narrative="劝返", figures=[{"name": "人数", "value": 1.5}]
        )
    assert caught.value.field == "figures[0].value"
    assert finding.reports == {}
    assert finding.collect_events() == []
