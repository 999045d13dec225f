"""The console's files: served by the app, complete, shipped in the wheel, nothing external."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import httpx

from ledger.api import console

ROOT = Path(__file__).resolve().parents[3]


def test_the_page_is_served_at_the_root_with_a_policy_that_allows_nothing_external(
    demo_api: Any,
) -> None:
    answer = httpx.get(demo_api.url + "/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert '<html lang="zh-CN">' in answer.text


def test_every_file_the_page_and_its_modules_name_is_served(demo_api: Any) -> None:
    page = (console.STATIC / "index.html").read_text()
    named = set(re.findall(r'(?:href|src)="(/console/[^"]+)"', page))
    for module in (console.STATIC / "js").glob("*.js"):
        for target in re.findall(r"from '\./([\w-]+\.js)'", module.read_text()):
            named.add(f"/console/js/{target}")
    modules = {f"/console/js/{p.name}" for p in (console.STATIC / "js").glob("*.js")}
    assert modules <= named  # every module is preloaded or imported
    for path in sorted(named):
        answer = httpx.get(demo_api.url + path)
        assert answer.status_code == 200, path


def test_no_file_names_an_address_elsewhere() -> None:
    for path in console.STATIC.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".css"):
            # The SVG namespace is a name, not an address anything is loaded from.
            text = path.read_text().replace("http://www.w3.org/2000/svg", "")
            assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text), path
            assert "innerHTML" not in text, path  # data is set as text, never parsed as HTML


def test_the_wheel_carries_every_console_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["ledger.api.console"]
    files = {p.relative_to(console.STATIC.parent) for p in console.STATIC.rglob("*") if p.is_file()}
    shipped = {p for p in files if any(p.match(pattern) for pattern in patterns)}
    assert files == shipped


def test_the_console_stays_out_of_the_api_schema(demo_api: Any) -> None:
    paths = httpx.get(demo_api.url + "/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/console") for p in paths)


def test_the_page_names_versioned_assets_the_browser_may_keep(demo_api: Any) -> None:
    page = httpx.get(demo_api.url + "/").text
    kept = set(re.findall(r'(?:href|src)="(/console/[^"]+)"', page))
    prefix = f"/console/v/{console.version()}/"
    assert kept and all(path.startswith(prefix) for path in kept)
    for path in sorted(kept):
        answer = httpx.get(demo_api.url + path)
        assert answer.status_code == 200, path
        assert "immutable" in answer.headers["cache-control"], path
    module = httpx.get(demo_api.url + prefix + "js/dom.js")  # a module imported, not preloaded
    assert module.status_code == 200 and "immutable" in module.headers["cache-control"]
    plain = httpx.get(demo_api.url + "/console/js/main.js")
    assert "immutable" not in plain.headers.get("cache-control", "")  # unversioned: not kept
    assert httpx.get(demo_api.url + prefix + "js/missing.js").status_code == 404
    assert httpx.get(demo_api.url + "/").headers["cache-control"] == "no-cache"


def test_the_asset_version_changes_with_any_file(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "page.css").write_text("body {}\n")
    first = console.version(tmp_path)
    assert first == console.version(tmp_path) and len(first) == 12
    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    changed = console.version(tmp_path)
    (tmp_path / "js" / "a.js").rename(tmp_path / "js" / "b.js")
    renamed = console.version(tmp_path)
    assert len({first, changed, renamed}) == 3
