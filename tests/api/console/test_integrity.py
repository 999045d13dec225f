"""The integrity page and dispute bundles in a real browser: the latest signed checkpoint,
verifying now from the keyboard, a finding's bundle downloaded and checked offline, and a
finding's timeline in a past view chosen by the API."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ledger.proof.bundle import verify_bundle
from ledger.proof.checkpoint import open_note
from ledger.proof.keys import VerifierKey


def first_finding(people: Any) -> str:
    with people.api(people.office) as api:
        items = api.get("/findings", params={"limit": 1}).json()["items"]
    return str(items[0]["finding_id"])


def test_the_integrity_page_shows_the_signed_checkpoint_of_the_whole_log(
    visit: Any, people: Any, demo_api: Any
) -> None:
    v = visit()
    v.sign_in(people.office)
    v.page.click('#nav a[data-nav="integrity"]')
    v.page.wait_for_selector(".checkpoint")
    v.ready()
    assert v.page.locator("h1").inner_text() == "完整性"
    assert v.page.get_attribute('#nav a[data-nav="integrity"]', "aria-current") == "page"
    size = int(v.page.get_attribute(".checkpoint", "data-size") or 0)
    assert size == demo_api.size() > 100
    key = VerifierKey.parse(v.page.input_value("#public-key"))
    checkpoint = open_note(v.page.input_value("#checkpoint-note"), key)
    assert checkpoint.size == size
    shown_root = v.page.locator('[data-field="root"]').inner_text()
    assert shown_root == base64.b64encode(checkpoint.root).decode()
    v.shot("checkpoint")
    assert v.console.unexpected() == []


def test_verifying_now_from_the_keyboard_shows_pass_and_is_recorded(
    visit: Any, people: Any
) -> None:
    v = visit()
    v.sign_in(people.office)
    v.go("#/integrity")
    for _ in range(40):  # Tab from the page's heading until the button has the focus
        if v.page.evaluate("document.activeElement.dataset.action") == "verify":
            break
        v.page.keyboard.press("Tab")
    else:
        raise AssertionError("the verify button cannot be reached with Tab")
    v.page.keyboard.press("Enter")
    v.page.wait_for_selector('.verdict[data-ok="true"]')
    assert v.page.locator(".verdict").inner_text() == "通过"
    assert "核验通过" in v.page.locator("#integrity-status").inner_text()
    with people.api(people.office) as api:
        last = api.get("/integrity/status").json()["last_verification"]
    assert last["ok"] is True and last["actor"].startswith("陈晓")
    assert f"{last['tree_size']} 条条目" in v.page.locator(".verdict-box").inner_text()
    v.shot("verified")
    v.go("#/")  # and back: the page now shows the recorded verdict
    v.go("#/integrity")
    assert v.page.locator(".verdict").inner_text() == "通过"
    assert v.console.unexpected() == []


def test_a_findings_dispute_bundle_downloads_and_verifies_offline(
    visit: Any, people: Any, tmp_path: Path
) -> None:
    finding = first_finding(people)
    v = visit()
    v.sign_in(people.office)
    v.go(f"#/findings/{finding}")
    how = v.page.locator("#bundle-how").inner_text()
    assert f"ledger verify-bundle bundle-{finding}.json --public-key" in how
    with v.page.expect_download() as started:
        v.page.click('button[data-action="bundle"]')
    download = started.value
    assert download.suggested_filename == f"bundle-{finding}.json"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with people.api(people.office) as api:
        public = api.get("/integrity/public-key").json()["public_key"]
        trail = api.get(f"/audit/records/{finding}").json()
    _, proven = verify_bundle(path.read_bytes(), VerifierKey.parse(public))
    assert [e.originator_version for e in proven] == [e["version"] for e in trail]
    key_file = tmp_path / "ledger.pub"
    key_file.write_text(public + "\n")
    checked = subprocess.run(  # exactly what the page tells people to run, with no database
        [
            sys.executable,
            "-m",
            "ledger.cli",
            "verify-bundle",
            str(path),
            "--public-key",
            str(key_file),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "LEDGER_DATABASE_URL": "sqlite:////nonexistent/no.db"},
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr
    assert "争议包核验通过" in checked.stdout
    v.shot("bundle")
    assert v.console.unexpected() == []


def test_a_past_view_shows_the_timeline_the_api_gives_for_that_point(
    visit: Any, people: Any
) -> None:
    finding = first_finding(people)
    with people.api(people.office) as api:
        then = api.get(f"/audit/records/{finding}", params={"as_of": "2018-05-31"}).json()
        everything = api.get(f"/audit/records/{finding}").json()
    assert 0 < len(then) < len(everything)
    v = visit()
    v.sign_in(people.office)
    v.page.fill("#asof-date", "2018-05-31")
    v.page.click(".moment-form button[type=submit]")
    v.page.wait_for_selector("#banner:not([hidden])")
    v.ready()
    v.go(f"#/findings/{finding}")
    shown = v.page.locator(".timeline .event").evaluate_all(
        "events => events.map(e => Number(e.dataset.version))"
    )
    assert shown == [e["version"] for e in then]
    hidden = len(everything) - len(then)
    assert f"另有 {hidden} 条事件" in v.page.locator(".timeline .notice").inner_text()
    assert v.console.unexpected() == []


def test_at_390_px_a_unit_reads_the_integrity_page_without_a_verify_button(
    visit: Any, people: Any
) -> None:
    v = visit(width=390, height=844)
    v.sign_in(people.unit)
    v.go("#/integrity")
    assert v.page.locator('button[data-action="verify"]').count() == 0
    assert "不能发起核验" in v.page.locator(".verification").inner_text()
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 390
    unlabelled = (
        "[...document.querySelectorAll('input, select, textarea')]"
        ".filter(e => !e.labels.length).map(e => e.name || e.id)"
    )
    assert v.page.evaluate(unlabelled) == []
    v.shot("unit")
    assert v.console.unexpected() == []
