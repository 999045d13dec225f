"""GET /inspections/{id}/progress over real HTTP on the demo: the series behind the chart."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

FIGURES = ("total", "completed", "ongoing", "long_term", "overdue", "claimed", "struck_off")


@pytest.fixture(scope="module")
def api(demo_api: Any) -> Any:
    with httpx.Client(base_url=f"{demo_api.url}/api/v1", headers=demo_api.auth) as client:
        yield client


def test_each_point_equals_the_counts_as_of_its_day(api: httpx.Client) -> None:
    inspection = api.get("/inspections").json()[0]
    found = api.get(f"/inspections/{inspection['inspection_id']}/progress").json()
    points = found["points"]
    assert [p["day"] for p in points] == sorted(p["day"] for p in points)
    assert {f: points[-1][f] for f in FIGURES} == {f: inspection[f] for f in FIGURES}
    for point in points[::7]:
        then = api.get(
            f"/inspections/{inspection['inspection_id']}", params={"as_of": point["day"]}
        ).json()
        assert {f: point[f] for f in FIGURES} == {f: then[f] for f in FIGURES}, point["day"]


def test_the_series_ends_on_the_day_asked_about(api: httpx.Client) -> None:
    inspection = api.get("/inspections").json()[0]["inspection_id"]
    answer = api.get(f"/inspections/{inspection}/progress", params={"as_of": "2018-06-30"})
    last = answer.json()["points"][-1]
    assert last["day"] == "2018-06-30"
    assert [last[f] for f in ("total", "completed", "ongoing", "long_term")] == [68, 50, 18, 24]


def test_an_unknown_or_not_yet_opened_inspection_is_404(api: httpx.Client) -> None:
    inspection = api.get("/inspections").json()[0]["inspection_id"]
    for path, params in (
        (f"/inspections/{uuid4()}/progress", {}),
        (f"/inspections/{inspection}/progress", {"as_of": "2000-01-01"}),
    ):
        answer = api.get(path, params=params)
        assert answer.status_code == 404
        assert answer.json()["field"] == "inspection_id"


def test_a_known_at_in_the_future_is_refused(api: httpx.Client) -> None:
    inspection = api.get("/inspections").json()[0]["inspection_id"]
    answer = api.get(f"/inspections/{inspection}/progress", params={"known_at": "2999-01-01T00:00"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "known_at"


def test_the_ends_of_the_calendar_are_answered_not_500(api: httpx.Client) -> None:
    """Found by the contract test: the month after 9999-12 and 90 days before 0001-01-01
    do not exist; questions about those days get answers, not server errors."""
    inspection = api.get("/inspections").json()[0]["inspection_id"]
    late = api.get(f"/inspections/{inspection}/progress", params={"as_of": "9999-12-31"})
    assert late.status_code == 200, late.text
    assert late.json()["points"][-1]["day"] == "9999-12-31"
    early = api.get("/idle-funds", params={"as_of": "0001-01-01", "days": 90})
    assert early.status_code == 200, early.text
    assert early.json() == []
