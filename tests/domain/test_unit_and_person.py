"""Units (headcount by year) and people (positions over time)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ledger.domain.errors import InvalidInput, InvalidTransition
from ledger.domain.unit import Person, Unit
from ledger.domain.values import UnitLevel


@pytest.fixture
def unit(env):
    u = Unit.register(env(), name="自治区扶贫开发办公室", level="province")
    u.collect_events()
    return u


@pytest.fixture
def person(env):
    p = Person.register(env(), name="王明")
    p.collect_events()
    return p


def refused(aggregate, error, call, *, field, words=()):
    version = aggregate.version
    with pytest.raises(error) as caught:
        call()
    assert caught.value.field == field
    for word in words:
        assert word in caught.value.message
    assert aggregate.collect_events() == []
    assert aggregate.version == version


def test_a_unit_is_registered_under_a_parent(env, unit):
    child = Unit.register(env(), name="兴安盟扶贫办", level="prefecture", parent_id=str(unit.id))
    assert child.parent_id == unit.id
    assert child.level is UnitLevel.PREFECTURE


def test_a_unit_of_unknown_level_is_refused(env):
    with pytest.raises(InvalidInput) as caught:
        Unit.register(env(), name="某单位", level="galaxy")
    assert caught.value.field == "level"
    assert "village" in caught.value.message


def test_a_unit_with_a_malformed_parent_is_refused(env):
    with pytest.raises(InvalidInput) as caught:
        Unit.register(env(), name="某单位", level="county", parent_id="parent")
    assert caught.value.field == "parent_id"


def test_a_unit_is_renamed_and_renaming_to_the_same_name_is_refused(env, unit):
    unit.rename(env(), "自治区乡村振兴局")
    assert unit.name == "自治区乡村振兴局"
    unit.collect_events()
    refused(unit, InvalidTransition, lambda: unit.rename(env(), " 自治区乡村振兴局 "), field="name")


def test_headcount_is_recorded_by_year_and_a_later_record_supersedes(env, unit):
    unit.record_headcount(env(), year=2018, headcount=120)
    unit.record_headcount(env(), year=2019, headcount=118)
    unit.record_headcount(env(), year=2018, headcount=121)
    assert unit.headcount == {2018: 121, 2019: 118}
    assert len(unit.collect_events()) == 3


def test_a_zero_headcount_is_accepted(env, unit):
    unit.record_headcount(env(), year=2019, headcount=0)
    assert unit.headcount[2019] == 0


def test_a_negative_headcount_is_refused(env, unit):
    refused(
        unit,
        InvalidInput,
        lambda: unit.record_headcount(env(), year=2019, headcount=-1),
        field="headcount",
        words=("负数",),
    )


@pytest.mark.parametrize("headcount", ["120", 120.0, True, None])
def test_a_non_integer_headcount_is_refused(env, unit, headcount):
    refused(
        unit,
        InvalidInput,
        lambda: unit.record_headcount(env(), year=2019, headcount=headcount),
        field="headcount",
    )


@pytest.mark.parametrize("year", [1948, 2101, -2019])
def test_a_year_out_of_range_is_refused(env, unit, year):
    refused(
        unit,
        InvalidInput,
        lambda: unit.record_headcount(env(), year=year, headcount=10),
        field="year",
    )


@pytest.mark.parametrize("year", [1949, 2100])
def test_the_boundary_years_are_accepted(env, unit, year):
    unit.record_headcount(env(), year=year, headcount=10)
    assert unit.headcount == {year: 10}


def test_a_person_takes_and_leaves_a_position(env, person):
    unit_id = uuid4()
    person.take_position(
        env(), unit_id=str(unit_id), title="副县长", rank="县处级", start="2017-03-01"
    )
    assert person.positions == {(unit_id, "副县长"): date(2017, 3, 1)}
    person.leave_position(env(), unit_id=unit_id, title="副县长", end="2019-09-30")
    assert person.positions == {}
    taken, left = person.collect_events()
    assert isinstance(taken, Person.PositionTaken) and taken.rank == "县处级"
    assert isinstance(left, Person.PositionLeft) and left.end == date(2019, 9, 30)


def test_a_person_may_hold_two_positions_and_retake_one_after_leaving(env, person):
    a, b = uuid4(), uuid4()
    person.take_position(env(), unit_id=a, title="局长", start="2016-01-01")
    person.take_position(env(), unit_id=b, title="局长", start="2016-01-01")
    person.leave_position(env(), unit_id=a, title="局长", end="2017-01-01")
    person.take_position(env(), unit_id=a, title="局长", start="2018-01-01")
    assert person.positions == {(a, "局长"): date(2018, 1, 1), (b, "局长"): date(2016, 1, 1)}


def test_taking_the_same_position_twice_is_refused(env, person):
    unit_id = uuid4()
    person.take_position(env(), unit_id=unit_id, title="村支书", start="2015-01-01")
    person.collect_events()
    refused(
        person,
        InvalidTransition,
        lambda: person.take_position(env(), unit_id=unit_id, title="村支书", start="2016-01-01"),
        field="title",
        words=("村支书",),
    )


def test_leaving_a_position_not_held_is_refused(env, person):
    refused(
        person,
        InvalidTransition,
        lambda: person.leave_position(env(), unit_id=uuid4(), title="村支书", end="2019-01-01"),
        field="title",
    )


def test_leaving_before_taking_up_the_position_is_refused(env, person):
    unit_id = uuid4()
    person.take_position(env(), unit_id=unit_id, title="乡长", start="2018-06-01")
    person.collect_events()
    refused(
        person,
        InvalidInput,
        lambda: person.leave_position(env(), unit_id=unit_id, title="乡长", end="2018-05-31"),
        field="end",
        words=("2018-06-01",),
    )


def test_a_position_with_a_malformed_start_date_is_refused(env, person):
    refused(
        person,
        InvalidInput,
        lambda: person.take_position(env(), unit_id=uuid4(), title="乡长", start="去年"),
        field="start",
    )
