"""Bad input is refused with the right error, names its field, and writes nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ledger.application.context import CommandContext
from ledger.domain.errors import DomainError, InvalidInput, NotFound

LONG_TEXT = "问" * 10_001
LONG_SHORT = "号" * 201
NOBODY = str(uuid4())
WHY = CommandContext(reason="项目受汛期影响")


def record(ledger, office, w, inspection=None, **overrides):
    args = {"category": ["一、责任落实"], "number": "(一)2", "text": "底数不清", **overrides}
    return ledger.record_finding(office, inspection or w.inspection, **args)


def report(ledger, office, w, **overrides):
    args = {"narrative": "劝返复学", **overrides}
    return ledger.report_progress(office, w.finding, **args)


def measure(ledger, office, w, **overrides):
    args = {
        "kind": "immediate",
        "text": "立行立改",
        "owner_unit": w.unit_a,
        "deadline": "2019-05-31",
        **overrides,
    }
    return ledger.add_measure(office, w.finding, **args)


def inspection(ledger, office, w, **overrides):
    args = {
        "kind": "tour",
        "title": "县委巡察",
        "inspecting_body": "县委第一巡察组",
        "inspected_body": "某乡党委",
        **overrides,
    }
    return ledger.open_inspection(office, **args)


def figure(value, of_total=None):
    return [{"name": "劝返复学", "value": value, "unit": "人", "of_total": of_total}]


CASES = [
    # empty, blank and oversized text
    ("finding-text-empty", lambda app, o, w: record(app, o, w, text=""), InvalidInput, "text"),
    (
        "finding-text-blank",
        lambda app, o, w: record(app, o, w, text=" \t\n "),
        InvalidInput,
        "text",
    ),
    (
        "finding-text-10001",
        lambda app, o, w: record(app, o, w, text=LONG_TEXT),
        InvalidInput,
        "text",
    ),
    (
        "finding-number-201",
        lambda app, o, w: record(app, o, w, number=LONG_SHORT),
        InvalidInput,
        "number",
    ),
    ("category-empty", lambda app, o, w: record(app, o, w, category=[]), InvalidInput, "category"),
    (
        "category-item-blank",
        lambda app, o, w: record(app, o, w, category=["  "]),
        InvalidInput,
        "category[0]",
    ),
    ("title-empty", lambda app, o, w: inspection(app, o, w, title=""), InvalidInput, "title"),
    ("title-201", lambda app, o, w: inspection(app, o, w, title=LONG_SHORT), InvalidInput, "title"),
    (
        "unit-name-blank",
        lambda app, o, w: app.register_unit(o, name="   ", level="county"),
        InvalidInput,
        "name",
    ),
    (
        "narrative-blank",
        lambda app, o, w: report(app, o, w, narrative="  "),
        InvalidInput,
        "narrative",
    ),
    (
        "narrative-10001",
        lambda app, o, w: report(app, o, w, narrative=LONG_TEXT),
        InvalidInput,
        "narrative",
    ),
    (
        "claim-summary-blank",
        lambda app, o, w: app.claim_completion(o, w.finding, summary=" "),
        InvalidInput,
        "summary",
    ),
    ("measure-text-empty", lambda app, o, w: measure(app, o, w, text=""), InvalidInput, "text"),
    (
        "letter-no-201",
        lambda app, o, w: app.issue_letter(o, w.finding, letter_no=LONG_SHORT, level="staff"),
        InvalidInput,
        "letter_no",
    ),
    (
        "plan-document-no-201",
        lambda app, o, w: app.file_plan(
            o, w.inspection, filed_on="2019-03-15", document_no=LONG_SHORT
        ),
        InvalidInput,
        "document_no",
    ),
    (
        "approver-201",
        lambda app, o, w: app.extend_deadline(
            o, w.finding, new_deadline="2019-09-30", approver=LONG_SHORT, ctx=WHY
        ),
        InvalidInput,
        "approver",
    ),
    (
        "basis-201",
        lambda app, o, w: report(app, o, w, ctx=CommandContext(basis=LONG_SHORT)),
        InvalidInput,
        "basis",
    ),
    # unknown ids
    (
        "unknown-inspection",
        lambda app, o, w: record(app, o, w, inspection=NOBODY),
        NotFound,
        "inspection_id",
    ),
    (
        "unknown-finding",
        lambda app, o, w: app.report_progress(o, NOBODY, narrative="进展"),
        NotFound,
        "finding_id",
    ),
    (
        "finding-id-is-an-inspection",
        lambda app, o, w: app.verify(o, w.inspection),
        NotFound,
        "finding_id",
    ),
    (
        "unknown-assigned-unit",
        lambda app, o, w: app.assign(o, w.finding, units=[w.unit_a, NOBODY]),
        NotFound,
        "responsible_units",
    ),
    (
        "unknown-lead-department",
        lambda app, o, w: app.assign(o, w.finding, lead_department=NOBODY, units=[w.unit_a]),
        NotFound,
        "lead_department",
    ),
    (
        "unknown-measure-owner",
        lambda app, o, w: measure(app, o, w, owner_unit=NOBODY),
        NotFound,
        "owner_unit",
    ),
    (
        "unknown-measure",
        lambda app, o, w: report(app, o, w, measure_id=NOBODY),
        NotFound,
        "measure_id",
    ),
    (
        "unknown-parent-unit",
        lambda app, o, w: app.register_unit(o, name="某村", level="village", parent_id=NOBODY),
        NotFound,
        "parent_id",
    ),
    (
        "unknown-letter-addressee",
        lambda app, o, w: app.issue_letter(
            o, w.finding, letter_no="督1号", level="staff", addressed_to=NOBODY
        ),
        NotFound,
        "addressed_to",
    ),
    # malformed ids
    ("malformed-finding-id", lambda app, o, w: app.verify(o, "F-0001"), InvalidInput, "finding_id"),
    (
        "malformed-inspection-id",
        lambda app, o, w: record(app, o, w, inspection="巡视1"),
        InvalidInput,
        "inspection_id",
    ),
    (
        "malformed-unit-id",
        lambda app, o, w: app.assign(o, w.finding, units=["unit-a"]),
        InvalidInput,
        "responsible_units[0]",
    ),
    # dates out of order and malformed
    (
        "deadline-before-feedback",
        lambda app, o, w: record(app, o, w, deadline="2019-01-17"),
        InvalidInput,
        "deadline",
    ),
    (
        "on-site-end-before-start",
        lambda app, o, w: inspection(
            app, o, w, on_site_start="2019-08-23", on_site_end="2019-08-10"
        ),
        InvalidInput,
        "on_site_end",
    ),
    (
        "measure-deadline-before-feedback",
        lambda app, o, w: measure(app, o, w, deadline="2018-12-31"),
        InvalidInput,
        "deadline",
    ),
    (
        "extend-to-earlier-date",
        lambda app, o, w: app.extend_deadline(
            o, w.finding, new_deadline="2019-05-01", approver="主任", ctx=WHY
        ),
        InvalidInput,
        "new_deadline",
    ),
    (
        "deadline-malformed",
        lambda app, o, w: record(app, o, w, deadline="2019-13-45"),
        InvalidInput,
        "deadline",
    ),
    (
        "new-deadline-malformed",
        lambda app, o, w: app.extend_deadline(
            o, w.finding, new_deadline="明年六月", approver="主任", ctx=WHY
        ),
        InvalidInput,
        "new_deadline",
    ),
    # unknown enumeration values
    (
        "unknown-inspection-kind",
        lambda app, o, w: inspection(app, o, w, kind="rumour"),
        InvalidInput,
        "kind",
    ),
    (
        "unknown-unit-level",
        lambda app, o, w: app.register_unit(o, name="某局", level="galaxy"),
        InvalidInput,
        "level",
    ),
    (
        "unknown-letter-level",
        lambda app, o, w: app.issue_letter(o, w.finding, letter_no="督1号", level="urgent"),
        InvalidInput,
        "level",
    ),
    (
        "unknown-measure-kind",
        lambda app, o, w: measure(app, o, w, kind="someday"),
        InvalidInput,
        "kind",
    ),
    # numbers
    (
        "negative-headcount",
        lambda app, o, w: app.record_headcount(o, w.unit_a, year=2019, headcount=-3),
        InvalidInput,
        "headcount",
    ),
    (
        "non-integer-headcount",
        lambda app, o, w: app.record_headcount(o, w.unit_a, year=2019, headcount="120人"),
        InvalidInput,
        "headcount",
    ),
    (
        "float-figure",
        lambda app, o, w: report(app, o, w, figures=figure(138.0)),
        InvalidInput,
        "figures[0].value",
    ),
    (
        "figure-above-total",
        lambda app, o, w: report(app, o, w, figures=figure("203", "202")),
        InvalidInput,
        "figures[0].value",
    ),
    (
        "evidence-hash-not-hex",
        lambda app, o, w: report(app, o, w, evidence=[{"title": "报告", "sha256": "x" * 64}]),
        InvalidInput,
        "evidence[0].sha256",
    ),
]


@pytest.mark.parametrize(
    ("command", "error", "field"),
    [pytest.param(call, error, field, id=name) for name, call, error, field in CASES],
)
def test_bad_input_is_refused_naming_its_field_and_nothing_is_written(
    ledger, office, world, snapshot, command, error, field
):
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        command(ledger, office, world)
    assert type(caught.value) is error
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert caught.value.message
    assert snapshot() == before


def test_a_refused_command_leaves_the_cached_record_unchanged(ledger, office, world):
    before = ledger.get_finding(world.finding)
    with pytest.raises(NotFound):
        ledger.assign(office, world.finding, responsible_leader="新领导", units=[NOBODY])
    with pytest.raises(InvalidInput):
        ledger.report_progress(office, world.finding, narrative="x", figures=figure("3", "2"))
    after = ledger.get_finding(world.finding)
    assert after.version == before.version
    assert after.responsible_leader == "分管副主席"
    assert after.responsible_units == [world.unit_a]
    assert after.reports.keys() == before.reports.keys()


@pytest.mark.parametrize("backend_url", ["memory"], indirect=True)  # refused before any I/O
@pytest.mark.parametrize(
    "ctx",
    [CommandContext(reason=123), CommandContext(correlation_id="not-a-uuid")],
    ids=["reason-not-text", "correlation-id-malformed"],
)
def test_a_malformed_command_context_is_refused_as_invalid_input(
    ledger, office, world, snapshot, ctx
):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        ledger.report_progress(office, world.finding, narrative="进展", ctx=ctx)
    assert caught.value.field in ("reason", "correlation_id")
    assert snapshot() == before


@pytest.mark.parametrize("value", [2**64, -(2**70), 10**12 + 1])
def test_an_integer_too_large_for_json_is_refused_even_with_an_idempotency_key(
    ledger, admin, world, snapshot, value
):
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        ledger.record_headcount(
            admin,
            world.unit_a,
            year=2019,
            headcount=value,
            ctx=CommandContext(idempotency_key="big-number"),
        )
    assert refused.value.field == "headcount"
    assert snapshot() == before
